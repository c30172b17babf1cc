package io.parley.persistence;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The stores' door to Postgres: prepared statements only (the client caches them per connection), a
 * timer per named query ({@code parley.db.query{query=...}}, the name of its {@link SqlQueries}
 * constant), a count of queries run (tests prove what a request costs with it), a log and a short
 * list of the queries slower than {@code persistence.slowQueryMs}, and transactions.
 */
public final class Db {

    private static final Logger LOG = LoggerFactory.getLogger(Db.class);
    private static final Map<String, String> NAMES = names();
    private static final int SLOW_KEPT = 50;

    private final Pool pool;
    private final MeterRegistry registry;
    private final long slowNanos;
    private final AtomicLong queries = new AtomicLong();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Deque<JsonObject> slow = new ArrayDeque<>();

    public Db(Pool pool, MeterRegistry registry, int slowQueryMs) {
        this.pool = pool;
        this.registry = registry;
        this.slowNanos = TimeUnit.MILLISECONDS.toNanos(slowQueryMs);
    }

    public Future<RowSet<Row>> query(String sql, Tuple args) {
        return query(pool, sql, args);
    }

    public Future<RowSet<Row>> query(SqlClient client, String sql, Tuple args) {
        queries.incrementAndGet();
        long start = System.nanoTime();
        return client.preparedQuery(sql).execute(args).andThen(ar -> record(sql, System.nanoTime() - start, ar.succeeded()));
    }

    private void record(String sql, long nanos, boolean ok) {
        String name = name(sql);
        timers.computeIfAbsent(name + ok, k -> Timer.builder("parley.db.query").description("Postgres queries by name")
                .tag("query", name).tag("outcome", ok ? "success" : "failure")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        if (nanos >= slowNanos) {
            double ms = nanos / 1e6;
            LOG.warn("Slow query {}: {} ms", name, String.format(Locale.ROOT, "%.1f", ms));
            synchronized (slow) {
                slow.addFirst(new JsonObject().put("query", name).put("ms", Math.round(ms * 10) / 10.0).put("at", Instant.now().toString()));
                while (slow.size() > SLOW_KEPT) {
                    slow.removeLast();
                }
            }
        }
    }

    /** The most recent queries over the threshold, newest first. */
    public JsonArray slowQueries() {
        synchronized (slow) {
            return new JsonArray(slow.stream().map(JsonObject::copy).toList());
        }
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

    /** A statement's name for metrics; statements built at run time name themselves: {@code /* message.search *}{@code / SELECT ...}. */
    private static String name(String sql) {
        String known = NAMES.get(sql);
        if (known != null) {
            return known;
        }
        int end = sql.startsWith("/* ") ? sql.indexOf(" */") : -1;
        return end > 3 ? sql.substring(3, end) : "other";
    }

    /** SQL text → the name of its constant in SqlQueries, lower-case with dots: MESSAGE_PAGE_DESC → message.page.desc. */
    private static Map<String, String> names() {
        Map<String, String> out = new HashMap<>();
        for (Field f : SqlQueries.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    f.setAccessible(true);
                    out.put((String) f.get(null), f.getName().toLowerCase(Locale.ROOT).replace('_', '.'));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
