package io.parley.persistence;

import io.vertx.pgclient.PgException;

/** The PostgreSQL errors the stores turn into answers a person understands (SQLSTATE codes). */
final class PgErrors {

    static final String UNIQUE_VIOLATION = "23505";
    static final String FOREIGN_KEY_VIOLATION = "23503";
    static final String DUPLICATE_SCHEMA = "42P06";

    private PgErrors() {
    }

    static boolean is(Throwable t, String sqlState) {
        return t instanceof PgException pg && sqlState.equals(pg.getSqlState());
    }
}
