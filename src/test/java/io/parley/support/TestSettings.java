package io.parley.support;

import io.parley.config.ConfigLoader;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings every test node runs with, whether it runs in the test's JVM ({@link TestNode}) or as a
 * process of the jar ({@link NodeProcess}): the test database and Redis, loopback only, cheap bcrypt, a
 * per-socket send limit no functional test reaches, and no per-address or per-user quota in reach. Held
 * as an overlay of the config (section, key, value), so the same values become a node's JSON config or
 * its PARLEY_* environment.
 */
public final class TestSettings {

    public static final String DB_URL = env("PARLEY_TEST_DB_URL", "postgresql://parley:parley@127.0.0.1:5432/parley_test");
    public static final String REDIS_URL = env("PARLEY_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    /** Frames per second (and burst) one socket may send on an in-JVM node. */
    static final int WS_SEND_RATE = 10_000;
    /** The same for a node process: abuse and cluster tests flood those, so the limit is higher still. */
    static final int PROCESS_WS_SEND_RATE = 100_000;

    private TestSettings() {
    }

    /** The overlay of an in-JVM node on {@code schema}. */
    public static JsonObject forJvm(String schema) {
        return common(schema, WS_SEND_RATE);
    }

    /** The overlay of a node process on {@code schema}. */
    public static JsonObject forProcess(String schema) {
        return common(schema, PROCESS_WS_SEND_RATE);
    }

    private static JsonObject common(String schema, int wsSendRate) {
        return new JsonObject()
                .put("db", new JsonObject().put("url", DB_URL).put("schema", schema))
                .put("redis", new JsonObject().put("url", REDIS_URL))
                .put("http", new JsonObject().put("host", "127.0.0.1"))
                .put("auth", new JsonObject().put("bcryptCost", 4))
                .put("ws", new JsonObject().put("sendRatePerSecond", wsSendRate).put("sendBurst", wsSendRate))
                // every test signs up and creates from 127.0.0.1, far more than a person does: the quotas are
                // raised for tests in general, and a test of a quota lowers it for itself
                .put("limits", unlimited(ConfigLoader.defaults().getJsonObject("limits")));
    }

    /** Puts each value of {@code overlay} into the same section of {@code config}. */
    public static JsonObject applyTo(JsonObject config, JsonObject overlay) {
        for (String section : overlay.fieldNames()) {
            overlay.getJsonObject(section).forEach(e -> config.getJsonObject(section).put(e.getKey(), e.getValue()));
        }
        return config;
    }

    /** {@code overlay} as the environment a node process reads it from (PARLEY_SECTION_KEY). */
    public static Map<String, String> asEnv(JsonObject overlay) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String section : overlay.fieldNames()) {
            overlay.getJsonObject(section).forEach(e ->
                    env.put(ConfigLoader.envName(section, e.getKey()), String.valueOf(e.getValue())));
        }
        return env;
    }

    /** The limits section with every per-address and per-user quota out of reach (the members per create stays). */
    public static JsonObject unlimited(JsonObject limits) {
        JsonObject l = limits.copy();
        for (String key : l.fieldNames()) {
            if (!key.equals("maxMembersPerCreate")) {
                l.put(key, 1_000_000);
            }
        }
        l.put("bcryptConcurrentPerAddress", 1000);
        return l;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
