package io.parley.metrics;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** /admin/perf on one node of a cluster shows every node (the ops console's per-node plots), and only while watched. */
@DisplayName("The performance monitor across nodes (two Hazelcast nodes in one JVM)")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterPerfTest {

    private List<TestNode> nodes;

    @BeforeAll
    void start() {
        nodes = TestNode.startCluster(ClusterPerfTest.class, 2, json -> { });
    }

    @AfterAll
    void stop() {
        TestNode.closeAll(nodes);
    }

    @Test
    @DisplayName("a read of /admin/perf makes every node report: the answer lists both, with their sockets, lag and delivery")
    void everyNodeReports() {
        TestNode a = nodes.get(0);
        TestNode b = nodes.get(1);
        Api.User admin = a.admin("perfboss");
        Api.User user = b.api.signup("perfuser");
        long ch = b.api.createChannel(user, "public", "perf across");
        try (WsClient onB = WsClient.connect(b.vertx, b.port, user.token())) {
            assertThat(onB.request(WsClient.subscribe(ch)).getString("type")).isEqualTo("ack");
            a.api.sendMessage(user, ch, "hello");
            onB.next("message");
            JsonObject first = perf(a, admin);
            assertThat(first.getString("node")).endsWith(":" + a.port);
            assertThat(first.getLong("clusterMembers")).isEqualTo(2);
            JsonArray listed = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> perf(a, admin).getJsonArray("nodes"), n -> n.size() == 2);
            JsonObject fromB = listed.stream().map(o -> (JsonObject) o).filter(n -> n.getString("node").endsWith(":" + b.port))
                    .findFirst().orElseThrow();
            assertThat(fromB.getLong("sockets")).isEqualTo(1);
            assertThat(fromB.getDouble("eventLoopLagP99Ms")).isNotNull();
            assertThat(fromB.getValue("deliveryP99Ms")).isNotNull();
            assertThat(perf(b, b.admin("perfboss2")).getJsonObject("delivery").getLong("count")).isPositive();
        }
    }

    private static JsonObject perf(TestNode n, Api.User admin) {
        return n.api.send("GET", "/api/../admin/perf", admin.token(), null).json();
    }
}
