package io.parley.support;

import io.parley.Main;
import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A real Parley node for one test class: real Postgres (its own schema in the test database) and real
 * Redis, from scripts/services. Single-node Vert.x unless the test asks for the cluster.
 */
public final class TestNode implements AutoCloseable {

    public static final String DB_URL = env("PARLEY_TEST_DB_URL", "postgresql://parley:parley@127.0.0.1:5432/parley_test");
    public static final String REDIS_URL = env("PARLEY_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    public final Vertx vertx;
    public final ParleyConfig config;
    public final int port;
    public final String schema;
    public final Api api;

    private TestNode(Vertx vertx, ParleyConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.port = config.http().port();
        this.schema = config.db().schema();
        this.api = new Api(port);
    }

    public static TestNode start(Class<?> testClass) {
        return start(testClass, json -> { });
    }

    public static TestNode start(Class<?> testClass, Consumer<JsonObject> tweak) {
        JsonObject json = testConfig(testClass);
        tweak.accept(json);
        ParleyConfig config = ParleyConfig.from(json);
        Vertx vertx = Main.boot(config).await();
        return new TestNode(vertx, config);
    }

    /** Defaults for tests: a fresh schema, a free port, cheap bcrypt, generous rate limits, no cluster. */
    public static JsonObject testConfig(Class<?> testClass) {
        JsonObject json = ConfigLoader.defaults();
        String schema = "t_" + testClass.getSimpleName().toLowerCase(Locale.ROOT) + "_" + ThreadLocalRandom.current().nextInt(1_000_000);
        json.getJsonObject("db").put("url", DB_URL).put("schema", schema).put("poolSize", 4);
        json.getJsonObject("redis").put("url", REDIS_URL);
        json.getJsonObject("http").put("port", freePort()).put("host", "127.0.0.1").put("instances", 2);
        json.getJsonObject("auth").put("bcryptCost", 4);
        json.getJsonObject("ws").put("sendRatePerSecond", 10_000).put("sendBurst", 10_000);
        json.getJsonObject("cluster").put("enabled", false);
        return json;
    }

    /** A pool on this node's schema, for tests that look at the database directly. */
    public Pool pool() {
        PgConnectOptions connect = PgConnectOptions.fromUri(DB_URL).setProperties(java.util.Map.of("search_path", schema));
        return PgBuilder.pool().connectingTo(connect).using(vertx).build();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        vertx.close().await();
        dropSchema(schema);
    }

    public static void dropSchema(String schema) {
        Vertx v = Vertx.vertx();
        try {
            Pool p = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(DB_URL)).using(v).build();
            p.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().await();
            p.close().await();
        } finally {
            v.close().await();
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
