package io.parley.persistence;

import io.parley.support.Api;
import io.parley.support.LocalRedis;
import io.parley.support.TestNode;
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
 * Undeploying a node's verticles gives back every Redis connection they opened, the chat cache's
 * included, while the Vert.x instance stays up. Redis gets its own server, so its client count is ours.
 * (Vert.x also closes a client made on a verticle's context when that verticle is undeployed, so this
 * guards the outcome, whichever of the two closes it.)
 */
@DisplayName("Redis connections are given back when the verticles stop")
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
    @DisplayName("after undeploying every verticle (Vert.x still running), no connection of the node is left in Redis")
    void chatCacheClosed() throws Exception {
        TestNode node = TestNode.start(RedisReleaseTest.class, json -> json.getJsonObject("redis")
                .put("url", "redis://127.0.0.1:" + redisPort));
        try {
            Api.User u = node.api.signup("redis");
            node.api.createChannel(u, "private", "release");
            // the channel list goes through the chat cache: its Redis pool opens connections
            assertThat(node.api.get("/channels", u.token()).status()).isEqualTo(200);
            assertThat(node.api.get("/channels", u.token()).status()).isEqualTo(200);
            assertThat(clients()).as("the node is connected").isPositive();
            List<String> ids = new ArrayList<>(node.vertx.deploymentIDs());
            for (String id : ids) {
                node.vertx.undeploy(id).await();
            }
            await("the node's Redis connections closed").atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(clients()).as("connections left after every verticle stopped").isZero());
        } finally {
            node.close();
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
