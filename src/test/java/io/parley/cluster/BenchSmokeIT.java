package io.parley.cluster;

import io.parley.support.NodeProcess;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every benchmark scenario at a tiny size against a real node process, so the benchmarks do not rot:
 * each must run, stop by itself and report its figures (and the fan-out must lose and duplicate nothing).
 * The generator runs as scripts/bench runs it, {@code java -cp parley.jar:parley-bench.jar io.parley.bench.Bench},
 * so the bench jar is checked to need nothing but the node's jar beside it.
 */
@DisplayName("Benchmark scenarios run end to end at a tiny size")
@Timeout(120)
class BenchSmokeIT {

    static final String SCHEMA = "it_bench_" + ProcessHandle.current().pid();
    static NodeProcess node;

    @BeforeAll
    static void start() {
        Map<String, String> env = NodeProcess.testEnv(SCHEMA);
        env.put("PARLEY_CLUSTER_ENABLED", "false");
        // the compression scenario compares sockets with and without permessage-deflate, which is off by default
        env.put("PARLEY_WS_COMPRESSION", "true");
        node = NodeProcess.start("bench-node", env);
        node.awaitMembers(1, java.time.Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        node.destroy();
        TestNode.dropSchema(SCHEMA);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fanout", "compression", "history", "channel-list", "send", "login-storm", "idle-sockets", "search"})
    @DisplayName("the scenario runs, stops by itself and reports figures")
    void scenario(String name) throws Exception {
        String p = String.valueOf(node.httpPort);
        String pid = String.valueOf(node.process.pid());
        List<String> args = new ArrayList<>(List.of(name, "port=" + p, "ports=" + p, "coldPort=" + p, "pid=" + pid, "pids=" + pid,
                "db=" + TestNode.DB_URL, "schema=" + SCHEMA, "seconds=1", "warmup=1", "concurrency=4"));
        args.addAll(switch (name) {
            case "fanout" -> List.of("channels=4", "members=3", "rates=10,20");
            case "compression" -> List.of("channels=2", "members=3", "rate=10", "history=20", "replayers=2");
            case "history" -> List.of("channels=3", "messages=200", "rate=100");
            case "channel-list" -> List.of("users=20", "channelsPerUser=5", "rate=100");
            case "login-storm" -> List.of("signins=10", "cost=4", "cheapWarmup=50");
            case "idle-sockets" -> List.of("sockets=200");
            case "send" -> List.of("rate=200");
            case "search" -> List.of("messages=2000", "rate=20");
            default -> List.of();
        });
        Path out = Path.of("target", "it-logs", "bench-" + name + ".json");
        Files.deleteIfExists(out);
        args.add("out=" + out);
        NodeProcess bench = NodeProcess.startBench("bench-" + name, "512m", args.toArray(String[]::new));
        try {
            assertThat(bench.awaitExit(Duration.ofSeconds(100))).as("the scenario stops by itself: " + bench.tail()).isTrue();
        } finally {
            bench.destroy();
        }
        assertThat(bench.process.exitValue()).as(bench.tail()).isZero();
        JsonObject result = new JsonObject(Files.readString(out));
        System.out.println("bench smoke " + name + ": " + result.encode().substring(0, Math.min(300, result.encode().length())));
        assertThat(result.getString("scenario")).isEqualTo(name);
        assertThat(result.getJsonObject("machine").getInteger("cores")).isPositive();
        switch (name) {
            case "fanout" -> {
                assertThat(result.getLong("deliveries")).isPositive();
                assertThat(result.getJsonArray("steps")).isNotEmpty();
                assertThat(result.getLong("deliveriesPerServerCpuSecond")).isPositive();
                assertThat(result.getLong("lost")).isZero();
                assertThat(result.getLong("duplicates")).isZero();
            }
            case "compression" -> assertThat(result.getJsonObject("deflate").getJsonObject("live").getLong("deliveries")).isPositive();
            case "history" -> {
                assertThat(result.getJsonObject("hotLatestPage").getLong("count")).isPositive();
                assertThat(result.getJsonObject("coldDeepPagesAtRate").getLong("count")).isPositive();
            }
            case "channel-list" -> {
                assertThat(result.getJsonObject("hot").getLong("count")).isPositive();
                assertThat(result.getJsonObject("hotAtRate").getLong("errors")).isZero();
            }
            case "send" -> {
                assertThat(result.getJsonObject("c4").getLong("count")).isPositive();
                assertThat(result.getJsonObject("c4").getLong("errors")).isZero();
            }
            case "login-storm" -> assertThat(result.getLong("failed")).isZero();
            case "idle-sockets" -> assertThat(result.getInteger("sockets")).isEqualTo(200);
            case "search" -> {
                assertThat(result.getLong("matching")).isPositive();
                assertThat(result.getJsonObject("searchAlone").getLong("count")).isPositive();
                assertThat(result.getJsonObject("searchAlone").getLong("errors")).isZero();
                assertThat(result.getJsonObject("channelWhileSearching").getLong("count")).isPositive();
                assertThat(result.getJsonObject("channelWhileSearching").getLong("errors")).isZero();
            }
            default -> { }
        }
    }
}
