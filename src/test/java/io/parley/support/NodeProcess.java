package io.parley.support;

import io.vertx.core.json.JsonObject;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** A Parley node as a separate JVM of the fat jar, as ops run it: for tests of kills, freezes and stops. */
public final class NodeProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    public final String name;
    public final int httpPort;
    /** The management listener's port (/metrics); 0 for tools that serve nothing. */
    public final int managementPort;
    public final Process process;
    public final Path log;

    private NodeProcess(String name, int httpPort, int managementPort, Process process, Path log) {
        this.name = name;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
    }

    /**
     * The environment of a test node process on {@code schema}: the settings of {@link TestSettings}, the
     * source an in-JVM {@link TestNode} takes its own from. Callers add or override what their test needs.
     */
    public static Map<String, String> testEnv(String schema) {
        return new HashMap<>(TestSettings.asEnv(TestSettings.forProcess(schema)));
    }

    /**
     * Starts {@code java -jar parley.jar} with the given PARLEY_* environment plus this node's HTTP and
     * management ports (both free, so several nodes share the host).
     */
    public static NodeProcess start(String name, Map<String, String> env) {
        return startMain(name, env, List.of("-jar", jar()), TestNode.freePort());
    }

    /** Like {@link #start(String, Map)} with a heap of {@code maxHeap} (e.g. "128m") instead of 256 MB. */
    public static NodeProcess startWithHeap(String name, Map<String, String> env, String maxHeap) {
        return startMain(name, env, List.of("-Xmx" + maxHeap, "-jar", jar()), TestNode.freePort());
    }

    /** Runs another main class of the jar (tools, examples) to completion; answers its exit code and output. */
    public static NodeProcess startClass(String name, Map<String, String> env, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of("-cp", jar(), mainClass));
        cmd.addAll(List.of(args));
        return startMain(name, env, cmd, 0);
    }

    /**
     * Runs the load generator as scripts/bench does, {@code java -cp parley.jar:parley-bench.jar
     * io.parley.bench.Bench ARGS}, so a test sees the bench jar work beside the node's jar alone.
     */
    public static NodeProcess startBench(String name, String maxHeap, String... args) {
        List<String> cmd = new ArrayList<>(List.of("-Xmx" + maxHeap, "-cp", jar() + File.pathSeparator + benchJar(),
                "io.parley.bench.Bench"));
        cmd.addAll(List.of(args));
        return startMain(name, Map.of(), cmd, 0);
    }

    private static NodeProcess startMain(String name, Map<String, String> env, List<String> javaArgs, int port) {
        Path dir = Path.of("target", "it-logs");
        try {
            Files.createDirectories(dir);
            Path log = dir.resolve(name + ".log");
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "-Xmx256m", "-XX:+UseSerialGC", "-Xss512k"));
            cmd.addAll(javaArgs);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> e = new HashMap<>(env);
            int managementPort = 0;
            if (port > 0) {
                e.put("PARLEY_HTTP_PORT", String.valueOf(port));
                managementPort = TestNode.freePort();
                e.put("PARLEY_MANAGEMENT_PORT", String.valueOf(managementPort));
            }
            pb.environment().putAll(e);
            return new NodeProcess(name, port, managementPort, pb.start(), log);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String jar() {
        String jar = System.getProperty("parley.jar", "target/parley.jar");
        if (!new File(jar).isFile()) {
            throw new IllegalStateException(jar + " is missing: process tests run after `mvn package`");
        }
        return jar;
    }

    private static String benchJar() {
        String jar = System.getProperty("parley.bench.jar", "target/parley-bench.jar");
        if (!new File(jar).isFile()) {
            throw new IllegalStateException(jar + " is missing: process tests run after `mvn package`");
        }
        return jar;
    }

    /** /health, or null when the node does not answer. */
    public JsonObject health() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return new JsonObject(r.body());
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public int members() {
        JsonObject h = health();
        return h == null || h.getJsonObject("cluster") == null ? -1 : h.getJsonObject("cluster").getInteger("members");
    }

    /** Waits until the node is up and sees {@code members} cluster members; answers the time it took. */
    public Duration awaitMembers(int members, Duration timeout) {
        long start = System.nanoTime();
        try {
            await(name + " up with " + members + " members").atMost(timeout).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200))
                    .failFast(name + " exited", () -> !process.isAlive())
                    .until(() -> {
                        JsonObject h = health();
                        return h != null && "up".equals(h.getString("status")) && members() == members;
                    });
        } catch (TerminalFailureException e) {
            throw new AssertionError(name + " exited with " + process.exitValue() + "; log: " + tail());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(name + " did not see " + members + " members within " + timeout + " (sees " + members() + "); log: " + tail());
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    public void signal(String sig) {
        try {
            new ProcessBuilder("kill", "-" + sig, String.valueOf(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    public String tail() {
        String all = output();
        return all.length() > 3000 ? all.substring(all.length() - 3000) : all;
    }

    /** Ends the process whatever its state (a frozen one is resumed first so it can die). */
    public void destroy() {
        if (process.isAlive()) {
            signal("CONT");
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }
    }

    /**
     * A plain pause, for the tests whose timing is what they test (a freeze of a given length, a pace of
     * sends); a wait for something to become true is an Awaitility condition instead.
     */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
