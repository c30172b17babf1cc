package io.parley.edge.ws;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.parley.support.WsClient.ping;
import static io.parley.support.WsClient.send;
import static io.parley.support.WsClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("WebSocket limits: idle timeout, send rate, subscription count")
class SocketLimitsTest {

    static TestNode node;
    static Api api;
    static Api.User user;

    @BeforeAll
    static void start() {
        node = TestNode.start(SocketLimitsTest.class, json -> {
            json.getJsonObject("ws").put("idleTimeoutSeconds", 5).put("sendRatePerSecond", 1).put("sendBurst", 3)
                    .put("maxSubscriptions", 2);
        });
        api = node.api;
        user = api.signup("limits");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    @DisplayName("a socket that sends nothing for the idle timeout is closed with 1001; pings keep one open")
    void idleTimeout() throws Exception {
        try (WsClient idle = WsClient.connect(node.vertx, node.port, user.token());
             WsClient busy = WsClient.connect(node.vertx, node.port, user.token())) {
            long start = System.currentTimeMillis();
            // the busy socket pings once a second while the idle one waits to be closed
            await("close of the idle socket").atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofSeconds(1)).pollInSameThread()
                    .until(() -> {
                        busy.request(ping());
                        return idle.closeCode != null;
                    });
            assertThat(idle.closeCode).isEqualTo((short) 1001);
            assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(4_500);
            assertThat(busy.ws.isClosed()).isFalse();
        }
    }

    @Test
    @DisplayName("sends beyond the burst are refused with rate_limited, and nothing is stored for them")
    void sendRate() {
        long ch = api.createChannel(user, "public", "rate");
        try (WsClient ws = WsClient.connect(node.vertx, node.port, user.token())) {
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                JsonObject r = ws.request(send(ch, "r" + i, "m" + i));
                outcomes.add("ack".equals(r.getString("type")) ? "ack" : r.getString("code"));
            }
            assertThat(outcomes.subList(0, 3)).containsOnly("ack");
            assertThat(outcomes.subList(3, 6)).contains("rate_limited");
            long stored = api.get("/channels/" + ch + "/messages", user.token()).json().getJsonArray("messages").size();
            assertThat(stored).isEqualTo(outcomes.stream().filter("ack"::equals).count());
        }
    }

    @Test
    @DisplayName("a connection cannot subscribe to more channels than configured")
    void subscriptionCap() {
        long[] three = new long[3];
        for (int i = 0; i < 3; i++) {
            three[i] = api.createChannel(user, "public", "cap" + i);
        }
        try (WsClient ws = WsClient.connect(node.vertx, node.port, user.token())) {
            JsonObject r = ws.request(subscribe(three));
            assertThat(r.getString("type")).isEqualTo("error");
            assertThat(r.getString("code")).isEqualTo("validation_failed");
            assertThat(r.getString("message")).contains("at most 2");
        }
    }
}
