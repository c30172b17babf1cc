package io.parley.tools;

import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;

import java.util.Map;
import java.util.function.Function;

/** The database of the ops tools: PARLEY_DB_URL (and PARLEY_DB_SCHEMA), opened for one piece of work. */
final class ToolDb {

    private ToolDb() {
    }

    /** Runs {@code work} on a pool of the configured database and closes everything; exits 2 without a database. */
    static <T> T with(Function<Pool, T> work) {
        ParleyConfig config = ConfigLoader.load(System.getenv());
        if (config.db().url().isEmpty()) {
            System.err.println("parley: set PARLEY_DB_URL to the cluster's database");
            System.exit(2);
        }
        Vertx vertx = Vertx.vertx();
        PgConnectOptions connect = PgConnectOptions.fromUri(config.db().url());
        if (!config.db().schema().isEmpty()) {
            connect.setProperties(Map.of("search_path", config.db().schema()));
        }
        Pool pool = PgBuilder.pool().connectingTo(connect).using(vertx).build();
        try {
            return work.apply(pool);
        } finally {
            pool.close().await();
            vertx.close().await();
        }
    }
}
