package io.parley.support;

import io.parley.app.Main;
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

    public static final String DB_URL = TestSettings.DB_URL;
    public static final String REDIS_URL = TestSettings.REDIS_URL;

    public final Vertx vertx;
    public final io.parley.app.Node node;
    public final ParleyConfig config;
    public final int port;
    /** The management listener's port (/metrics), free and distinct per node. */
    public final int managementPort;
    public final String schema;
    public final Api api;

    private TestNode(io.parley.app.Node node, ParleyConfig config) {
        this.node = node;
        this.vertx = node.vertx();
        this.config = config;
        this.port = config.http().port();
        this.managementPort = config.management().port();
        this.schema = config.db().schema();
        // the description gives the default limits (a message body of at most 4000 characters): a node
        // configured for more accepts requests the description refuses
        JsonObject documented = ConfigLoader.defaults().getJsonObject("messages");
        boolean defaults = config.messages().maxBodyChars() == documented.getInteger("maxBodyChars")
                && config.messages().pageSize() == documented.getInteger("pageSize");
        this.api = defaults ? new Api(port) : new Api(port).beyondDocumentedLimits();
    }

    public static TestNode start(Class<?> testClass) {
        return start(testClass, json -> { });
    }

    public static TestNode start(Class<?> testClass, Consumer<JsonObject> tweak) {
        JsonObject json = testConfig(testClass);
        tweak.accept(json);
        ParleyConfig config = ParleyConfig.from(json);
        return new TestNode(Main.boot(config).await(), config);
    }

    /**
     * {@code n} clustered nodes in this JVM sharing one schema, with Hazelcast on 127.0.0.1 from a port
     * unique to this test run. Stopped together by {@link #closeAll}.
     */
    public static java.util.List<TestNode> startCluster(Class<?> testClass, int n, Consumer<JsonObject> tweak) {
        JsonObject base = testConfig(testClass);
        int hzBase = clusterPortBase();
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < n; i++) {
            members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(hzBase + i);
        }
        java.util.List<TestNode> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            JsonObject json = base.copy();
            json.getJsonObject("http").put("port", freePort());
            json.getJsonObject("management").put("port", freePort());
            json.getJsonObject("cluster").put("enabled", true).put("port", hzBase + i).put("members", members.toString());
            tweak.accept(json);
            ParleyConfig config = ParleyConfig.from(json);
            nodes.add(new TestNode(Main.boot(config).await(), config));
        }
        return nodes;
    }

    public static void closeAll(java.util.List<TestNode> nodes) {
        for (TestNode n : nodes) {
            n.node.stop().await();
        }
        if (!nodes.isEmpty()) {
            dropSchema(nodes.get(0).schema);
        }
    }

    /** A block of 10 Hazelcast ports no other test class of this run uses. */
    public static synchronized int clusterPortBase() {
        int base = 6000 + (int) (ProcessHandle.current().pid() % 200) * 10 + NEXT_CLUSTER.getAndIncrement() * 2000;
        return base > 60000 ? 6000 + (base % 50000) : base;
    }

    private static final java.util.concurrent.atomic.AtomicInteger NEXT_CLUSTER = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Defaults for tests: a fresh schema and free ports, the settings of {@link TestSettings} (shared with
     * node processes), a small pool, two HTTP instances, no cluster.
     */
    public static JsonObject testConfig(Class<?> testClass) {
        String schema = "t_" + testClass.getSimpleName().toLowerCase(Locale.ROOT) + "_" + ThreadLocalRandom.current().nextInt(1_000_000);
        JsonObject json = TestSettings.applyTo(ConfigLoader.defaults(), TestSettings.forJvm(schema));
        json.getJsonObject("db").put("poolSize", 4);
        json.getJsonObject("http").put("port", freePort()).put("instances", 2);
        json.getJsonObject("cluster").put("enabled", false);
        json.getJsonObject("management").put("host", "127.0.0.1").put("port", freePort());
        return json;
    }

    /** This node's Prometheus scrape, from its management listener (/metrics is not on the public port). */
    public String metricsText() {
        return management("/metrics").body();
    }

    /** A GET on the management listener. */
    public Api.Resp management(String path) {
        return Api.management(managementPort).getRoot(path);
    }

    /** Queries this node has run so far (the performance monitor's counter). */
    public long queryCount() {
        return io.parley.bus.OpsApi.client(vertx.eventBus(), 10_000).slowQueries().await().getLong("queryCount");
    }

    /** A pool on this node's schema, for tests that look at the database directly. */
    public Pool pool() {
        PgConnectOptions connect = PgConnectOptions.fromUri(DB_URL).setProperties(java.util.Map.of("search_path", schema));
        return PgBuilder.pool().connectingTo(connect).using(vertx).build();
    }

    /**
     * A signed-up user made an admin (there is no API for it: an operator sets {@code users.role}), with
     * tokens from a refresh, which is when the role reaches the access token.
     */
    public Api.User admin(String handlePrefix) {
        Api.User plain = api.signup(handlePrefix);
        Pool p = pool();
        try {
            p.preparedQuery("UPDATE users SET role = 'admin' WHERE id = $1").execute(io.vertx.sqlclient.Tuple.of(plain.id())).await();
        } finally {
            p.close().await();
        }
        io.vertx.core.json.JsonObject t = api.post("/auth/refresh", null,
                new io.vertx.core.json.JsonObject().put("refreshToken", plain.refreshToken())).json();
        return new Api.User(plain.id(), plain.handle(), t.getString("accessToken"), t.getString("refreshToken"));
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
        node.stop().await();
        dropSchema(schema);
    }

    /** Runs one statement in {@code schema} (a test's own database schema), for setup a node process offers no API for. */
    public static void sql(String schema, String statement, io.vertx.sqlclient.Tuple args) {
        withPool(PgConnectOptions.fromUri(DB_URL).addProperty("search_path", schema), p -> p.preparedQuery(statement).execute(args).await());
    }

    public static void dropSchema(String schema) {
        withPool(PgConnectOptions.fromUri(DB_URL), p -> p.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().await());
    }

    private static void withPool(PgConnectOptions options, java.util.function.Consumer<Pool> work) {
        Vertx v = Vertx.vertx();
        try {
            Pool p = PgBuilder.pool().connectingTo(options).using(v).build();
            try {
                work.accept(p);
            } finally {
                p.close().await();
            }
        } finally {
            v.close().await();
        }
    }
}
