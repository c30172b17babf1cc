package io.parley.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Metrics, the performance monitor, and what a request costs in queries")
class PerfMonitorTest {

    static TestNode node;
    static Api api;

    @BeforeAll
    static void start() {
        node = TestNode.start(PerfMonitorTest.class, json -> json.getJsonObject("persistence").put("slowQueryMs", 1));
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static long queriesRun() {
        MeterRegistry r = Metrics.registry(node.vertx);
        return r.find("parley.db.query").timers().stream().mapToLong(Timer::count).sum();
    }

    @Test
    @DisplayName("a page costs one query uncached (access check included) and none cached; a list likewise")
    void queriesPerRequest() {
        Api.User u = api.signup("pager");
        long ch = api.createChannel(u, "private", "pages");
        for (int i = 0; i < 30; i++) {
            api.sendMessage(u, ch, "m" + i);
        }
        api.get("/channels/" + ch + "/messages?limit=5&before=3", u.token()); // warm the statement caches
        String newest = "/channels/" + ch + "/messages?limit=10";
        long before = queriesRun();
        Api.Resp page = api.get(newest, u.token());
        assertThat(page.status()).isEqualTo(200);
        assertThat(queriesRun() - before).as("uncached page").isEqualTo(1);
        before = queriesRun();
        Api.Resp again = api.get(newest, u.token());
        assertThat(again.body()).isEqualTo(page.body());
        assertThat(queriesRun() - before).as("cached page").isZero();
        before = queriesRun();
        api.sendMessage(u, ch, "one more");
        assertThat(queriesRun() - before).as("a send is one statement").isEqualTo(1);
        before = queriesRun();
        api.get(newest, u.token());
        assertThat(queriesRun() - before).as("the channel changed: the page is read again").isEqualTo(1);

        // a page behind a cursor is read on its first two asks, and goes through the cache from the second
        String deep = "/channels/" + ch + "/messages?limit=10&before=20";
        for (String ask : java.util.List.of("first", "second")) {
            before = queriesRun();
            api.get(deep, u.token());
            assertThat(queriesRun() - before).as(ask + " ask of a page behind a cursor").isEqualTo(1);
        }
        before = queriesRun();
        api.get(deep, u.token());
        assertThat(queriesRun() - before).as("third ask of a page behind a cursor").isZero();

        // a list is cached once its channels' versions are known (the second read), then costs nothing
        api.get("/channels", u.token());
        api.get("/channels", u.token());
        before = queriesRun();
        JsonObject list = api.get("/channels", u.token()).json();
        assertThat(queriesRun() - before).as("cached list").isZero();
        assertThat(list.getJsonArray("channels").getJsonObject(0).getLong("lastSeq")).isEqualTo(31);
    }

    @Test
    @DisplayName("/metrics exposes every named meter")
    void metrics() {
        Api.User u = api.signup("metered");
        long ch = api.createChannel(u, "private", "metered");
        try (WsClient ws = WsClient.connect(node.vertx, node.port, u.token())) {
            ws.request(WsClient.subscribe(ch));
            ws.request(WsClient.send(ch, "x1", "hi"));
            ws.next("message");
            // the delivery is timed just after the frame is written: wait for that meter, not a fixed while
            org.awaitility.Awaitility.await("the delivery recorded").atMost(java.time.Duration.ofSeconds(5))
                    .pollInterval(java.time.Duration.ofMillis(50))
                    .until(() -> node.metricsText().contains("parley_messages_delivery_seconds_count 1"));
            String text = node.metricsText();
            assertThat(text)
                    .contains("parley_db_query_seconds_count{outcome=\"success\",query=\"message.send\"}")
                    // a histogram (cluster-wide percentiles in Prometheus); the node's own quantiles stay in /admin/perf
                    .contains("parley_db_query_seconds_bucket{outcome=\"success\",query=\"message.send\",le=\"0.5\"}")
                    .doesNotContain("quantile=")
                    .contains("parley_ws_request_seconds_count{type=\"send\"}")
                    .contains("parley_eventloop_lag_seconds_count")
                    .contains("parley_ws_sockets{")
                    .contains("parley_messages_committed_total")
                    .contains("parley_messages_delivered_total")
                    .contains("vertx_http_server_response_time_seconds_bucket")
                    .contains("parley_messages_delivery_seconds_count 1")
                    .contains("vertx_eventbus_")
                    .contains("vertx_pool_in_use{pool_name=\"parley-pg\",pool_type=\"sql\"}")
                    .contains("jvm_memory_used_bytes");
        }
    }

    @Test
    @DisplayName("/admin/perf refuses anonymous and non-admin callers and shows an admin the node's numbers")
    void perf() {
        assertThat(api.getRoot("/admin/perf").status()).isEqualTo(401);
        Api.User plain = api.signup("plain");
        Api.Resp refused = api.send("GET", "/api/../admin/perf", plain.token(), null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.contentType()).startsWith("application/problem+json");

        var pool = node.pool();
        pool.preparedQuery("UPDATE users SET role = 'admin' WHERE id = $1").execute(Tuple.of(plain.id())).await();
        pool.close().await();
        String token = api.post("/auth/refresh", null, new JsonObject().put("refreshToken", plain.refreshToken())).json().getString("accessToken");
        long ch = api.createChannel(plain, "private", "perf");
        api.sendMessage(plain, ch, "for the numbers");
        try (WsClient ws = WsClient.connect(node.vertx, node.port, token)) {
            // the pong proves the server-side session has started, so the socket gauge counts it
            ws.request(WsClient.ping());
            JsonObject perf = api.send("GET", "/api/../admin/perf", token, null).json();
            assertThat(perf.getJsonArray("queries").stream().map(o -> ((JsonObject) o).getString("query"))).contains("message.send");
            JsonObject send = perf.getJsonArray("queries").stream().map(o -> (JsonObject) o)
                    .filter(q -> "message.send".equals(q.getString("query"))).findFirst().orElseThrow();
            assertThat(send.getLong("count")).isPositive();
            assertThat(send.containsKey("p99Ms")).isTrue();
            assertThat(perf.getJsonArray("eventLoopLag")).isNotEmpty();
            assertThat(perf.getLong("sockets")).isGreaterThanOrEqualTo(1);
            assertThat(perf.getJsonObject("messages").getLong("committed")).isPositive();
            assertThat(perf.getJsonObject("messages").fieldNames()).contains("committedPerSecond", "deliveredPerSecond");
            assertThat(perf.getJsonArray("slowQueries")).as("threshold is 1 ms in this test").isNotEmpty();
            assertThat(perf.getJsonArray("slowQueries").getJsonObject(0).fieldNames()).contains("query", "ms", "at");
            assertThat(perf.getJsonObject("pool").fieldNames()).anyMatch(k -> k.startsWith("in.use"));
        }
    }
}
