package io.parley.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real WebSocket client (Vert.x) that queues every frame it receives, for tests to wait on. */
public final class WsClient implements AutoCloseable {

    public static final String RECEIVED_AT = "_receivedAtNanos";

    public final WebSocket ws;
    private final WebSocketClient client;
    private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    /** Frames received but not yet asked for: next() never loses a frame it skips. */
    private final List<JsonObject> stash = new ArrayList<>();
    public volatile Short closeCode;

    private WsClient(WebSocketClient client, WebSocket ws) {
        this.client = client;
        this.ws = ws;
        // each frame is stamped with its arrival (System.nanoTime), for tests that time events
        ws.textMessageHandler(t -> frames.add(new JsonObject(t).put(RECEIVED_AT, System.nanoTime())));
        ws.closeHandler(v -> closeCode = ws.closeStatusCode());
    }

    public static WsClient connect(Vertx vertx, int port, String token) {
        return connect(vertx, port, token, new WebSocketClientOptions());
    }

    public static WsClient connect(Vertx vertx, int port, String token, WebSocketClientOptions options) {
        WebSocketClient client = vertx.createWebSocketClient(options.setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                .setURI("/ws?token=" + token);
        WebSocket ws = client.connect(connect).await();
        return new WsClient(client, ws);
    }

    public void send(JsonObject frame) {
        ws.writeTextMessage(frame.encode()).await();
    }

    /** The next frame matching {@code p}; frames it skips stay for later calls. Fails after 10 s. */
    public JsonObject next(Predicate<JsonObject> p) {
        return next(p, 10_000);
    }

    public JsonObject next(Predicate<JsonObject> p, long timeoutMillis) {
        for (int i = 0; i < stash.size(); i++) {
            if (p.test(stash.get(i))) {
                return stash.remove(i);
            }
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            JsonObject f;
            try {
                f = left <= 0 ? null : frames.poll(left, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (f == null) {
                throw new AssertionError("no matching frame within " + timeoutMillis + " ms; unclaimed frames: " + stash);
            }
            if (p.test(f)) {
                return f;
            }
            stash.add(f);
        }
    }

    public JsonObject reply(String ref) {
        return next(f -> ref.equals(String.valueOf(f.getValue("ref"))));
    }

    /** Sends a frame with {@code ref} and waits for its ack or error. */
    public JsonObject request(JsonObject frame) {
        String ref = "r" + System.nanoTime();
        send(frame.put("ref", ref));
        return reply(ref);
    }

    /** Every frame of {@code type} already received or arriving within {@code millis}. */
    public List<JsonObject> drain(String type, long millis) {
        List<JsonObject> out = new ArrayList<>();
        stash.removeIf(f -> type.equals(f.getString("type")) && out.add(f));
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            try {
                JsonObject f = frames.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (f != null) {
                    if (type.equals(f.getString("type"))) {
                        out.add(f);
                    } else {
                        stash.add(f);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return out;
    }

    /**
     * Checks that no frame of {@code type} arrives within {@code millis}: a test that something does not
     * happen can only wait a bounded time, and {@code what} says what it waited for.
     */
    public void assertNothingArrives(String type, long millis, String what) {
        assertThat(drain(type, millis)).as("no %s frame within %d ms: %s", type, millis, what).isEmpty();
    }

    /** The socket's close code once the server closed it, or null if it is still open after {@code millis}. */
    public Short awaitClose(long millis) {
        try {
            await("close of the socket").atMost(Duration.ofMillis(millis)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20)).until(() -> closeCode != null);
        } catch (ConditionTimeoutException e) {
            // still open: callers assert on the code, and null says so in their message
        }
        return closeCode;
    }

    @Override
    public void close() {
        if (!ws.isClosed()) {
            ws.close().await();
        }
        client.close().await();
    }
}
