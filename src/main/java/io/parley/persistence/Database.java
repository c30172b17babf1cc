package io.parley.persistence;

import io.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;

import java.util.Map;

/** The pool, the schema and the cluster-wide secrets: what a services instance sets up before its stores. */
public final class Database {

    private Database() {
    }

    /** A pool with prepared statements cached and pipelined, in the configured schema. */
    public static Pool pool(Vertx vertx, ParleyConfig.Db db) {
        PoolOptions options = new PoolOptions().setMaxSize(db.poolSize()).setMaxWaitQueueSize(4096).setName("parley-pg");
        return PgBuilder.pool().with(options).connectingTo(connectOptions(db, Map.of())).using(vertx).build();
    }

    /**
     * The searches' own pool of {@code search.poolSize} connections beside {@link #pool}: a search cannot
     * hold a connection another request waits for, and its sessions carry {@link #searchSession}. Its
     * callers admit at most that many searches at once, so nothing waits in it for long.
     */
    public static Pool searchPool(Vertx vertx, ParleyConfig.Db db, ParleyConfig.Search search) {
        PoolOptions options = new PoolOptions().setMaxSize(search.poolSize()).setMaxWaitQueueSize(search.poolSize() + search.queue())
                .setName("parley-pg-search");
        return PgBuilder.pool().with(options).connectingTo(connectOptions(db, searchSession(search.timeoutMs()))).using(vertx).build();
    }

    /**
     * The session settings of a search connection: every statement ends after {@code timeoutMs}, and the
     * planner never chooses a sequential scan, which is the one plan whose reading no LIMIT bounds (with
     * a common word it looks cheap; with a rare one it reads the whole table).
     */
    public static Map<String, String> searchSession(int timeoutMs) {
        return Map.of("statement_timeout", String.valueOf(timeoutMs), "enable_seqscan", "off");
    }

    private static PgConnectOptions connectOptions(ParleyConfig.Db db, Map<String, String> session) {
        PgConnectOptions connect = PgConnectOptions.fromUri(db.url())
                .setCachePreparedStatements(true)
                .setPipeliningLimit(db.pipeliningLimit());
        // PostgreSQL's NOTICEs ("relation ... already exists, skipping" on every restart) are not for the
        // operator; the client would log each as a WARN. Warnings and errors still come through.
        Map<String, String> properties = new java.util.HashMap<>(Map.of("client_min_messages", "warning"));
        if (!db.schema().isEmpty()) {
            properties.put("search_path", db.schema());
        }
        properties.putAll(session);
        return connect.setProperties(properties);
    }

    /** Creates the schema when one is configured and missing. */
    public static Future<Void> ensureSchema(Pool pool, String schema) {
        if (schema.isEmpty()) {
            return Future.succeededFuture();
        }
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            return Future.failedFuture(new IllegalArgumentException("db.schema must be a lower-case SQL identifier"));
        }
        // Two sessions creating the schema at once (persistence.instances > 1 on a fresh schema, or nodes
        // starting together) can fail despite IF NOT EXISTS: one gets a unique violation on the catalog.
        // The schema is there either way.
        return pool.query("CREATE SCHEMA IF NOT EXISTS " + schema).execute().<Void>mapEmpty()
                .recover(t -> PgErrors.is(t, PgErrors.UNIQUE_VIOLATION) || PgErrors.is(t, PgErrors.DUPLICATE_SCHEMA)
                        ? Future.succeededFuture() : Future.failedFuture(t));
    }

    /** The secret named {@code name}: {@code fresh} if this is the first node to ask, else the one stored first. */
    public static Future<byte[]> sharedSecret(Db db, String name, byte[] fresh) {
        return db.query(SqlQueries.SECRET_INSERT, Tuple.of(name, Buffer.buffer(fresh)))
                .compose(v -> db.query(SqlQueries.SECRET_GET, Tuple.of(name)))
                .map(rows -> rows.iterator().next().getBuffer("value").getBytes());
    }
}
