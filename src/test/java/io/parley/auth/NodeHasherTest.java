package io.parley.auth;

import io.parley.auth.PasswordHasher;
import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With several persistence instances a node still has one password hasher: one queue bound for the node,
 * one set of gauges, closed with the last instance.
 */
@DisplayName("One password hasher per node, whatever persistence.instances")
class NodeHasherTest {

    @Test
    @DisplayName("two persistence instances: one hasher, one gauge series, every refusal counted, closed at stop")
    void oneHasherPerNode() {
        // one hashing thread at a cost that takes tens of milliseconds and a 100 ms queue bound, as in
        // SigninStormTest, but spread over two persistence instances (requests alternate between them)
        TestNode node = TestNode.start(NodeHasherTest.class, json -> {
            json.getJsonObject("persistence").put("instances", 2);
            json.getJsonObject("auth").put("bcryptCost", 10).put("bcryptThreads", 1).put("bcryptMaxWaitMs", 100)
                    .put("signinMaxFailures", 1000);
        });
        boolean stopped = false;
        try {
            PasswordHasher hasher = NodeHasher.current(node.vertx);
            assertThat(hasher).as("the node's hasher, in the node-local map").isNotNull();

            Api api = node.api;
            Api.User u = api.signup("hasher");
            JsonObject creds = new JsonObject().put("handle", u.handle()).put("password", "password-" + u.handle());
            ExecutorService pool = Executors.newFixedThreadPool(40);
            List<Resp> answers;
            try {
                List<CompletableFuture<Resp>> calls = IntStream.range(0, 40)
                        .mapToObj(i -> CompletableFuture.supplyAsync(() -> api.post("/auth/signin", null, creds), pool)).toList();
                answers = calls.stream().map(CompletableFuture::join).toList();
            } finally {
                pool.shutdownNow();
            }
            long shed = answers.stream().filter(r -> r.status() == 503).count();
            assertThat(answers).allSatisfy(r -> assertThat(r.status()).isIn(200, 503));
            assertThat(shed).as("the storm is shed").isPositive();
            assertThat(NodeHasher.current(node.vertx)).as("both instances use the same hasher").isSameAs(hasher);
            assertThat(hasher.refused()).as("the one hasher saw every refusal, from both instances").isEqualTo((int) shed);

            String metrics = node.metricsText();
            List<String> pending = series(metrics, "parley_auth_bcrypt_pending");
            assertThat(pending).as("one gauge series for the node").hasSize(1);
            List<String> refused = series(metrics, "parley_auth_bcrypt_refused_total");
            assertThat(refused).hasSize(1);
            assertThat(Double.parseDouble(refused.get(0).substring(refused.get(0).lastIndexOf(' ') + 1)))
                    .as("the refusals counted in the metrics are all of the node's").isEqualTo((double) shed);

            node.node.stop().await();
            stopped = true;
            assertThat(NodeHasher.current(node.vertx)).as("released by the last instance to stop").isNull();
        } finally {
            if (stopped) {
                TestNode.dropSchema(node.schema);
            } else {
                node.close();
            }
        }
    }

    private static List<String> series(String metrics, String name) {
        return Arrays.stream(metrics.split("\n")).filter(l -> l.startsWith(name + "{") || l.startsWith(name + " ")).toList();
    }
}
