package io.parley.persistence;

import io.parley.support.Api;
import io.parley.support.LocalRedis;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.parley.support.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node opens one Redis client with one pool, whatever the number of its verticles and instances, and
 * gives every connection back when it stops. Redis gets its own server, so its client count is ours.
 */
@DisplayName("one Redis pool per node, given back when the node stops")
class RedisReleaseTest {

    static Process redis;
    static int redisPort;

    @BeforeAll
    static void startRedis() throws IOException {
        redisPort = TestNode.freePort();
        redis = LocalRedis.start(redisPort);
    }

    @AfterAll
    static void stopRedis() {
        redis.destroy();
    }

    @Test
    @DisplayName("several instances of every verticle share at most redis.poolSize connections, all closed when the node stops")
    void onePoolPerNode() throws Exception {
        int poolSize = 3;
        TestNode node = TestNode.start(RedisReleaseTest.class, json -> {
            json.getJsonObject("redis").put("url", "redis://127.0.0.1:" + redisPort).put("poolSize", poolSize);
            json.getJsonObject("http").put("instances", 2);
            json.getJsonObject("persistence").put("instances", 2);
        });
        boolean stopped = false;
        try {
            Api.User u = node.api.signup("redis");
            long channel = node.api.createChannel(u, "private", "release");
            // every user of Redis at once: the chat cache (lists, pages), the shared cache (send limits,
            // quotas), presence (a socket), the revocation record (a sign-out), the memory sampler
            try (WsClient ws = WsClient.connect(node.vertx, node.port, u.token())) {
                assertThat(ws.request(new JsonObject().put("type", "subscribe").put("channels", new JsonArray().add(channel)))
                        .getString("type")).isEqualTo("ack");
                for (int i = 0; i < 20; i++) {
                    node.api.sendMessage(u, channel, "m" + i);
                    assertThat(node.api.get("/channels", u.token()).status()).isEqualTo(200);
                    assertThat(node.api.get("/channels/" + channel + "/messages", u.token()).status()).isEqualTo(200);
                }
            }
            Api.User other = node.api.signup("redis2");
            node.api.post("/auth/signout", other.token(), null);
            assertThat(clients()).as("the node is connected").isPositive()
                    .as("connections of one node (2 edges, 2 services instances, presence, revocation, metrics)").isLessThanOrEqualTo(poolSize);
            node.node.stop().await();
            stopped = true;
            await("the node's Redis connections closed").atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(clients()).as("connections left after the node stopped").isZero());
        } finally {
            if (!stopped) {
                node.close();
            }
            TestNode.dropSchema(node.schema);
        }
    }

    /** Clients connected to our Redis, not counting the one asking. */
    private static int clients() throws Exception {
        Process p = new ProcessBuilder("redis-cli", "-p", String.valueOf(redisPort), "info", "clients").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        for (String line : out.split("\r?\n")) {
            if (line.startsWith("connected_clients:")) {
                return Integer.parseInt(line.substring("connected_clients:".length()).trim()) - 1;
            }
        }
        throw new IllegalStateException("no client count in: " + out);
    }
}
