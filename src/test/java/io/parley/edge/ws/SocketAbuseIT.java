package io.parley.edge.ws;

import io.parley.support.Api;
import io.parley.support.NodeProcess;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;

import static io.parley.support.WsClient.ping;
import static io.parley.support.WsClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attacks of a client that stops reading, against a node process with a 128 MB heap, as an operator
 * would run it: the node must stay healthy and keep serving other users while they run.
 */
@DisplayName("A node with a small heap survives clients that stop reading and flood it with frames")
@Timeout(240)
class SocketAbuseIT {

    static final String SCHEMA = "it_abuse_" + ProcessHandle.current().pid();
    static NodeProcess node;
    static Vertx vertx;
    static Api api;

    @BeforeAll
    static void start() {
        Map<String, String> env = NodeProcess.testEnv(SCHEMA);
        int hz = TestNode.clusterPortBase();
        env.put("PARLEY_CLUSTER_PORT", String.valueOf(hz));
        env.put("PARLEY_CLUSTER_MEMBERS", "127.0.0.1:" + hz);
        node = NodeProcess.startWithHeap("abuse-node", env, "128m");
        node.awaitMembers(1, Duration.ofSeconds(90));
        vertx = Vertx.vertx();
        api = new Api(node.httpPort);
    }

    @AfterAll
    static void stop() {
        node.destroy();
        vertx.close().await();
        TestNode.dropSchema(SCHEMA);
    }

    /** A new user chats over a fresh socket while the attacker is still connected. */
    static void stillServes(String label) {
        assertThat(node.process.isAlive()).as(label + ": the node process is alive").isTrue();
        assertThat(api.getRoot("/health").status()).as(label + ": /health").isEqualTo(200);
        Api.User user = api.signup("bystander");
        long ch = api.createChannel(user, "private", "after-" + label);
        try (WsClient ws = WsClient.connect(vertx, node.httpPort, user.token())) {
            ws.request(subscribe(ch));
            api.sendMessage(user, ch, "served during " + label);
            assertThat(ws.next("message").getString("body")).isEqualTo("served during " + label);
        }
        assertThat(node.output()).doesNotContain("OutOfMemoryError");
    }

    @Test
    @DisplayName("a guest sending 200 MB of pings with 50 KB refs while never reading leaves the node healthy")
    void bigRefs() {
        Api.User guest = api.guest("attacker");
        try (WsClient raw = WsClient.connectRaw(node.httpPort, guest.token(), 4096)) {
            long sent = raw.flood(ping().put("ref", "x".repeat(50_000)), 200L << 20, 3_000, 40_000);
            System.out.println("big refs: the node took " + (sent >> 20) + " MB from a client that never reads");
            stillServes("big refs");
        }
        stillServes("big refs, attacker gone");
    }

    @Test
    @DisplayName("subscribe frames whose acks list 99 refused channels, sent for 30 s without reading, leave the node healthy")
    void amplifiedAcks() {
        Api.User user = api.signup("amplifier");
        long own = api.createChannel(user, "private", "own");
        JsonArray items = new JsonArray().add(own);
        for (int i = 0; i < 99; i++) {
            items.add(1_000_000 + i);
        }
        try (WsClient raw = WsClient.connectRaw(node.httpPort, user.token(), 4096)) {
            long sent = raw.flood(subscribe(items).put("ref", "a"), 100L << 20, 3_000, 30_000);
            System.out.println("amplified acks: the node took " + (sent >> 10) + " KB from a client that never reads");
            stillServes("amplified acks");
        }
        stillServes("amplified acks, attacker gone");
    }
}
