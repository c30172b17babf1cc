package io.parley.cluster;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Two clustered nodes in this JVM, in each fan-out design: a client on one node sees what is sent on the other. */
@DisplayName("Cross-node fan-out in both designs (two Hazelcast nodes in one JVM)")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossNodeFanoutTest {

    private final Map<String, List<TestNode>> clusters = new HashMap<>();

    @BeforeAll
    void start() {
        for (String mode : List.of("channel", "broadcast")) {
            clusters.put(mode, TestNode.startCluster(CrossNodeFanoutTest.class, 2,
                    json -> json.getJsonObject("cluster").put("fanout", mode)));
        }
    }

    @AfterAll
    void stop() {
        clusters.values().forEach(TestNode::closeAll);
    }

    @ParameterizedTest(name = "fanout = {0}")
    @ValueSource(strings = {"channel", "broadcast"})
    @DisplayName("messages sent on either node reach subscribers on both, in order, once")
    void crossNode(String mode) {
        TestNode a = clusters.get(mode).get(0);
        TestNode b = clusters.get(mode).get(1);
        assertThat(a.api.getRoot("/health").json().getJsonObject("cluster").getInteger("members")).isEqualTo(2);
        Api.User alice = a.api.signup("alice");
        Api.User bob = b.api.signup("bob");
        long ch = a.api.createChannel(alice, "private", "x-node-" + mode, bob.id());
        try (WsClient onA = WsClient.connect(a.vertx, a.port, alice.token());
             WsClient onB = WsClient.connect(b.vertx, b.port, bob.token())) {
            for (WsClient c : List.of(onA, onB)) {
                assertThat(c.request(WsClient.subscribe(ch)).getString("type")).isEqualTo("ack");
            }
            for (int i = 0; i < 40; i++) {
                // alternate the node that commits, so events of one channel come from both nodes
                (i % 2 == 0 ? a : b).api.sendMessage(i % 2 == 0 ? alice : bob, ch, "m" + i);
            }
            for (WsClient c : List.of(onA, onB)) {
                List<Long> seqs = new ArrayList<>();
                while (seqs.size() < 40) {
                    seqs.add(c.next("message").getLong("seq"));
                }
                assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, 40).boxed().toList());
                c.assertNothingArrives("message", 200, "each message once");
            }
            // typing crosses nodes too, and is not echoed to the typer
            onB.request(WsClient.typing(ch));
            assertThat(onA.next("typing").getLong("userId")).isEqualTo(bob.id());
        }
    }
}
