package io.parley;

import io.parley.support.TestNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Node lifecycle: dependency order at start, drain before the database at stop")
class NodeLifecycleTest {

    @Test
    @DisplayName("nothing serves before what it needs is ready: persistence, then presence and the hub, then the HTTP edges")
    void startsInDependencyOrder() {
        TestNode node = TestNode.start(NodeLifecycleTest.class);
        try {
            List<String> order = node.node.started();
            assertThat(order).first().isEqualTo("PersistenceVerticle");
            assertThat(order).containsSubsequence("PresenceVerticle", "HttpVerticle");
            assertThat(order).containsSubsequence("PersistenceVerticle", "RevocationVerticle", "SocketVerticle", "HttpVerticle");
            assertThat(order).containsSubsequence("SocketVerticle", "HttpVerticle");
            assertThat(order).last().isEqualTo("ManagementVerticle");
        } finally {
            node.close();
        }
    }

    @Test
    @DisplayName("a node that cannot reach its database fails to start, and says so, instead of hanging")
    void unreachableDatabaseFailsTheBoot() throws Exception {
        io.vertx.core.json.JsonObject json = TestNode.testConfig(NodeLifecycleTest.class);
        json.getJsonObject("db").put("url", "postgresql://parley:parley@127.0.0.1:1/parley");
        io.parley.config.ParleyConfig config = io.parley.config.ParleyConfig.from(json);
        java.util.concurrent.CompletableFuture<Throwable> failed = new java.util.concurrent.CompletableFuture<>();
        io.parley.Main.boot(config).onComplete(ar -> failed.complete(ar.cause()));
        Throwable cause = failed.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(cause).isNotNull();
        assertThat(cause).hasMessageContaining("Connection refused");
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
