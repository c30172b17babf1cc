package io.parley.persistence;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The stores' door to Postgres: prepared statements only (the client caches them per connection), a
 * count of queries run (tests use it to prove what a request costs), and transactions.
 */
public final class Db {

    private final Pool pool;
    private final AtomicLong queries = new AtomicLong();

    public Db(Pool pool) {
        this.pool = pool;
    }

    public Future<RowSet<Row>> query(String sql, Tuple args) {
        return query(pool, sql, args);
    }

    public Future<RowSet<Row>> query(SqlClient client, String sql, Tuple args) {
        queries.incrementAndGet();
        return client.preparedQuery(sql).execute(args);
    }

    public <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> work) {
        return pool.withTransaction(work);
    }

    public long queryCount() {
        return queries.get();
    }

    public Pool pool() {
        return pool;
    }
}
