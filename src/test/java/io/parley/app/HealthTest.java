package io.parley.app;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.vertx.core.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("/health/live and /health/ready: what a load balancer and an orchestrator ask")
class HealthTest {

    @Test
    @DisplayName("a booted node is live and ready; from the first moment of its drain it is no longer ready")
    void liveAndReady() {
        TestNode node = TestNode.start(HealthTest.class);
        try {
            Api.Resp live = node.api.getRoot("/health/live");
            assertThat(live.status()).isEqualTo(200);
            assertThat(live.json().getString("status")).isEqualTo("live");
            Api.Resp ready = node.api.getRoot("/health/ready");
            assertThat(ready.status()).as("%s", ready).isEqualTo(200);
            assertThat(ready.json().getBoolean("ready")).isTrue();
            assertThat(Node.state(node.vertx)).isEqualTo("ready");
            // the drain: the state flips before any verticle is undeployed
            Future<Void> stopping = node.node.stop();
            assertThat(Node.state(node.vertx)).isEqualTo("draining");
            stopping.await();
        } finally {
            TestNode.dropSchema(node.schema);
        }
    }

    @Test
    @DisplayName("a Vert.x on which no node has finished deploying reports starting")
    void notReadyBeforeDeployed() {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            assertThat(Node.state(vertx)).isEqualTo("starting");
        } finally {
            vertx.close().await();
        }
    }
}
