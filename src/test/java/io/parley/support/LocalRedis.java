package io.parley.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A redis-server of the test's own on a free port, for tests that kill, restart or count the connections
 * of their Redis (never the shared test Redis).
 */
public final class LocalRedis {

    private LocalRedis() {
    }

    /** Starts redis-server on {@code port} without persistence; answers once it accepts connections. */
    public static Process start(int port) throws IOException {
        Process p = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await("redis-server listening on " + port).atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20)).failFast("redis-server exited", () -> !p.isAlive())
                .until(() -> listening(port));
        return p;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
