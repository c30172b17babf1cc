package io.parley.app;

import io.parley.support.TestNode;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Node lifecycle: dependency order at start, drain before the database at stop")
@ExtendWith(VertxExtension.class)
class NodeLifecycleTest {

    @Test
    @DisplayName("nothing serves before what it needs is ready: persistence, then presence and the hub, then the HTTP edges")
    void startsInDependencyOrder() {
        TestNode node = TestNode.start(NodeLifecycleTest.class);
        try {
            List<String> order = node.node.started();
            assertThat(order).first().isEqualTo("ServicesVerticle");
            assertThat(order).containsSubsequence("PresenceVerticle", "HttpVerticle");
            assertThat(order).containsSubsequence("ServicesVerticle", "RevocationVerticle", "SocketVerticle", "HttpVerticle");
            assertThat(order).containsSubsequence("SocketVerticle", "HttpVerticle");
            assertThat(order).last().isEqualTo("ManagementVerticle");
        } finally {
            node.close();
        }
    }

    @Test
    @DisplayName("a node that cannot reach its database fails to start, and says so, instead of hanging")
    @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
    void unreachableDatabaseFailsTheBoot(VertxTestContext test) {
        io.vertx.core.json.JsonObject json = TestNode.testConfig(NodeLifecycleTest.class);
        json.getJsonObject("db").put("url", "postgresql://parley:parley@127.0.0.1:1/parley");
        io.parley.config.ParleyConfig config = io.parley.config.ParleyConfig.from(json);
        io.parley.app.Main.boot(config).onComplete(test.failing(cause -> test.verify(() -> {
            assertThat(cause).hasMessageContaining("Connection refused");
            test.completeNow();
        })));
    }

    @Test
    @DisplayName("the shutdown hook stops the embedded database only after the node has drained and closed")
    void databaseStopsAfterTheDrain() {
        TestNode node = TestNode.start(NodeLifecycleTest.class);
        List<String> seenByDatabaseStop = new ArrayList<>();
        try {
            Main.stopInOrder(() -> node.node, () -> {
                seenByDatabaseStop.add("deployments left: " + node.vertx.deploymentIDs().size());
                seenByDatabaseStop.add("port open: " + listening(node.port));
            }).run();
            assertThat(seenByDatabaseStop).containsExactly("deployments left: 0", "port open: false");
        } finally {
            TestNode.dropSchema(node.schema);
        }
    }

    @Test
    @DisplayName("a stop before the node is up still stops the database")
    void databaseStopsWithoutANode() {
        List<String> calls = new ArrayList<>();
        Main.stopInOrder(() -> null, () -> calls.add("database")).run();
        assertThat(calls).containsExactly("database");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
