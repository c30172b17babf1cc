package io.parley.cache;

import io.parley.support.Api;
import io.parley.support.LocalRedis;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cache never serves a stale page or list: a node with the Redis cache is compared, after every write,
 * with a node on the same database and no cache at all. Redis gets its own server here, so the test can
 * freeze and kill it.
 */
@DisplayName("Cache: never stale under interleaved writes, and Redis down is only slower")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheTest {

    static Process redis;
    static int redisPort;
    static io.vertx.core.Vertx proxyVertx;
    static io.parley.bench.TcpProxy proxy;
    static TestNode cached;
    static TestNode truth;
    static Api.User alice;
    static Api.User bob;
    static long privateCh;
    static long publicCh;

    static Process startRedis() throws IOException {
        return LocalRedis.start(redisPort);
    }

    @BeforeAll
    static void start() throws IOException {
        redisPort = TestNode.freePort();
        redis = startRedis();
        proxyVertx = io.vertx.core.Vertx.vertx();
        proxy = new io.parley.bench.TcpProxy(proxyVertx, redisPort);
        String schema = "t_cachetest_" + System.nanoTime() % 1_000_000;
        cached = TestNode.start(CacheTest.class, json -> {
            json.getJsonObject("db").put("schema", schema);
            json.getJsonObject("redis").put("url", "redis://127.0.0.1:" + proxy.port).put("timeoutMs", 250);
        });
        truth = TestNode.start(CacheTest.class, json -> {
            json.getJsonObject("db").put("schema", schema);
            json.getJsonObject("cache").put("enabled", false);
        });
        alice = cached.api.signup("alice");
        bob = cached.api.signup("bob");
        privateCh = cached.api.createChannel(alice, "private", "cache-private", bob.id());
        publicCh = cached.api.createChannel(alice, "public", "cache-public");
    }

    @AfterAll
    static void stop() {
        truth.close();
        cached.close();
        proxy.close();
        proxyVertx.close().await();
        redis.destroyForcibly();
    }

    private static void assertFresh(String when) {
        for (Api.User u : List.of(alice, bob)) {
            assertThat(cached.api.get("/channels", u.token()).body()).as("channel list of " + u.handle() + " " + when)
                    .isEqualTo(truth.api.get("/channels", u.token()).body());
            for (long ch : List.of(privateCh, publicCh)) {
                for (String q : List.of("", "?limit=3", "?before=6&limit=2", "?after=2&limit=4")) {
                    String path = "/channels/" + ch + "/messages" + q;
                    Api.Resp c = cached.api.get(path, u.token());
                    Api.Resp t = truth.api.get(path, u.token());
                    assertThat(c.status()).as(path + " for " + u.handle() + " " + when).isEqualTo(t.status());
                    if (t.status() == 200) {
                        assertThat(c.body()).as(path + " for " + u.handle() + " " + when).isEqualTo(t.body());
                    }
                }
            }
        }
    }

    /** One random write through the cached node. */
    private static String randomWrite(Random rnd, int i) {
        Api api = cached.api;
        Api.User who = rnd.nextBoolean() ? alice : bob;
        long ch = rnd.nextInt(3) == 0 ? publicCh : privateCh;
        long last = truth.api.get("/channels/" + ch, alice.token()).json().getLong("lastSeq");
        switch (rnd.nextInt(7)) {
            case 0, 1, 2 -> api.post("/channels/" + ch + "/messages", who.token(), new JsonObject().put("body", "m" + i).put("clientMsgId", "c" + i));
            case 3 -> api.send("PATCH", "/channels/" + ch + "/messages/" + (1 + rnd.nextInt((int) Math.max(1, last))), who.token(),
                    new JsonObject().put("body", "edit " + i));
            case 4 -> api.send("DELETE", "/channels/" + ch + "/messages/" + (1 + rnd.nextInt((int) Math.max(1, last))), who.token(), null);
            case 5 -> api.post("/channels/" + ch + "/read", who.token(), new JsonObject().put("seq", rnd.nextInt((int) last + 2)));
            default -> {
                if (rnd.nextBoolean()) {
                    api.post("/channels/" + publicCh + "/members", bob.token(), null);
                } else {
                    api.send("DELETE", "/channels/" + publicCh + "/members/" + bob.id(), bob.token(), null);
                }
            }
        }
        return "after write " + i;
    }

    @Test
    @Order(1)
    @DisplayName("after every one of 150 random writes (send, edit, delete, read, join, leave), pages and lists are fresh")
    void neverStale() {
        Random rnd = new Random(42);
        for (int i = 0; i < 150; i++) {
            assertFresh(randomWrite(rnd, i));
        }
        String metrics = cached.metricsText();
        assertThat(metrics).contains("parley_cache_requests_total{cache=\"message-page\",result=\"hit\"}")
                .contains("parley_cache_requests_total{cache=\"channel-list\",result=\"hit\"}");
    }

    @Test
    @Order(2)
    @DisplayName("a page behind a cursor is read from PostgreSQL when first asked, and goes through the cache once asked again")
    void cursorPagesCachedWhenAskedTwice() {
        for (int i = 0; i < 8; i++) { // pages that are not empty (an empty page is never cached)
            cached.api.post("/channels/" + privateCh + "/messages", alice.token(), new JsonObject().put("body", "deep " + i));
        }
        String base = "/channels/" + privateCh + "/messages?limit=1&before=";
        long[] queries = new long[3];
        for (int round = 0; round < 3; round++) {
            long q = cached.queryCount();
            for (int before = 3; before <= 7; before++) {
                Api.Resp page = cached.api.get(base + before, alice.token());
                assertThat(page.body()).isEqualTo(truth.api.get(base + before, alice.token()).body());
            }
            queries[round] = cached.queryCount() - q;
        }
        // first ask: read, nothing stored; second: read and stored; third: from the cache (background work aside)
        assertThat(queries[0]).as("queries for the first asks of five deep pages").isGreaterThanOrEqualTo(5);
        assertThat(queries[1]).as("queries for the second asks: read again, then stored").isGreaterThanOrEqualTo(5);
        assertThat(queries[2]).as("queries for the third asks: served by the cache").isLessThanOrEqualTo(1);
    }

    @Test
    @Order(2)
    @DisplayName("when the other member leaves a direct channel, the cached list of the one who stays changes too")
    void directPeerLeaves() {
        Api.User carol = cached.api.signup("carol");
        long dm = cached.api.post("/direct/" + carol.id(), alice.token(), null).json().getLong("id");
        cached.api.get("/channels", alice.token());
        cached.api.get("/channels", alice.token()); // now cached with carol as the peer
        assertThat(cached.api.send("DELETE", "/channels/" + dm + "/members/" + carol.id(), carol.token(), null).status()).isEqualTo(204);
        assertThat(cached.api.get("/channels", alice.token()).body()).isEqualTo(truth.api.get("/channels", alice.token()).body());
    }

    @Test
    @Order(3)
    @DisplayName("writers and readers racing leave no stale entry behind")
    void concurrentWritesAndReads() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            all.add(CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    cached.api.get("/channels/" + privateCh + "/messages?limit=3", alice.token());
                    cached.api.get("/channels", bob.token());
                }
            }));
        }
        Random rnd = new Random(7);
        for (int i = 1000; i < 1100; i++) {
            randomWrite(rnd, i);
        }
        running.set(false);
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        assertFresh("after the race");
    }

    @Test
    @Order(4)
    @DisplayName("Redis frozen: requests still succeed within the timeout, /health says degraded, and no stale entry is served after")
    void redisFrozen() throws Exception {
        assertFresh("before the freeze");
        signal(redis.pid(), "STOP");
        try {
            long start = System.nanoTime();
            assertThat(cached.api.get("/channels", alice.token()).status()).isEqualTo(200);
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("channel list with Redis frozen: " + ms + " ms (Redis timeout 250 ms)");
            assertThat(ms).isLessThan(2_000);
            // a write whose invalidation cannot reach Redis
            assertThat(cached.api.post("/channels/" + privateCh + "/messages", bob.token(),
                    new JsonObject().put("body", "while frozen").put("clientMsgId", "frozen-1")).status()).isEqualTo(201);
            JsonObject health = cached.api.getRoot("/health").json();
            assertThat(health.getString("redis")).isEqualTo("down");
            assertThat(health.getString("status")).isEqualTo("degraded");
        } finally {
            signal(redis.pid(), "CONT");
        }
        // Redis is back with its old entries and old versions: none of them may be served
        assertFresh("after Redis came back");
        assertThat(cached.api.getRoot("/health").json().getString("redis")).isEqualTo("up");
    }

    @Test
    @Order(5)
    @DisplayName("Redis cut off while it keeps its entries: an invalidation is lost, yet nothing stale is served after")
    void lostInvalidation() {
        assertFresh("before the cut");
        assertFresh("before the cut, from the cache");
        proxy.cut();
        try {
            // this send's version bump cannot reach Redis, which keeps the entries of the old version
            assertThat(cached.api.post("/channels/" + privateCh + "/messages", alice.token(),
                    new JsonObject().put("body", "during the cut").put("clientMsgId", "cut-1")).status()).isEqualTo(201);
            assertThat(cached.api.post("/channels/" + privateCh + "/read", bob.token(), new JsonObject().put("seq", 1)).status())
                    .isEqualTo(200);
            assertThat(cached.api.getRoot("/health").json().getString("status")).isEqualTo("degraded");
        } finally {
            proxy.heal();
        }
        assertFresh("after the cut healed");
    }

    @Test
    @Order(6)
    @DisplayName("Redis killed and restarted: the node serves from Postgres meanwhile and uses the cache again by itself")
    void redisRestarted() throws Exception {
        redis.destroyForcibly().waitFor();
        assertThat(cached.api.get("/channels", alice.token()).status()).isEqualTo(200);
        assertThat(cached.api.post("/auth/signin", null, new JsonObject().put("handle", alice.handle()).put("password", "password-" + alice.handle()))
                .status()).isEqualTo(200);
        assertThat(cached.api.getRoot("/health").json().getString("redis")).isEqualTo("down");
        redis = startRedis();
        await("the node sees Redis up again").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> cached.api.getRoot("/health").json().getString("redis"), "up"::equals);
        assertFresh("after the restart");
        assertFresh("again, now from the cache");
    }

    private static void signal(long pid, String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).start().waitFor();
    }
}
