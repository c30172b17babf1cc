package io.parley.persistence;

import io.parley.domain.User;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

public final class PgUserStore implements UserStore {

    private final Db db;

    public PgUserStore(Db db) {
        this.db = db;
    }

    @Override
    public Future<User> create(String handle, String displayName, String phoneNumber, String passwordHash, String kind,
                               Integer ttlSeconds) {
        return db.query(SqlQueries.USER_INSERT, Tuple.of(handle, displayName, phoneNumber, passwordHash, kind, ttlSeconds))
                .map(rows -> Rows.user(rows.iterator().next()))
                .recover(PgUserStore::uniqueViolation);
    }

    private static Future<User> uniqueViolation(Throwable t) {
        if (t instanceof PgException pg && "23505".equals(pg.getSqlState())) {
            String constraint = String.valueOf(pg.getConstraint());
            if (constraint.contains("phone")) {
                return Future.failedFuture(ParleyException.of(ErrorCode.PHONE_TAKEN, "That phone number is already registered."));
            }
            return Future.failedFuture(ParleyException.of(ErrorCode.HANDLE_TAKEN, "That handle is already taken; pick another."));
        }
        return Future.failedFuture(t);
    }

    @Override
    public Future<Optional<User>> byId(long id) {
        return db.query(SqlQueries.USER_BY_ID, Tuple.of(id)).map(PgUserStore::first);
    }

    @Override
    public Future<Optional<User>> byHandle(String handle) {
        return db.query(SqlQueries.USER_BY_HANDLE, Tuple.of(handle)).map(PgUserStore::first);
    }

    @Override
    public Future<Optional<User>> byPhoneNumber(String phoneNumber) {
        return db.query(SqlQueries.USER_BY_PHONE, Tuple.of(phoneNumber)).map(PgUserStore::first);
    }

    @Override
    public Future<Void> setPassword(long userId, String passwordHash) {
        return db.query(SqlQueries.USER_SET_PASSWORD, Tuple.of(userId, passwordHash)).mapEmpty();
    }


    private static Optional<User> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(Rows.user(rows.iterator().next()));
    }
}
