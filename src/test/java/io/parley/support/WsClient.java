package io.parley.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tests' client of the Parley WebSocket protocol (docs/protocol.md): it builds the frames, matches each
 * answer to its request by {@code ref}, and keeps every frame it receives, in order, for the test to wait on.
 * <p>
 * Two transports. {@link #connect} is a Vert.x WebSocket that reads all the time, as an app does.
 * {@link #connectRaw} is a bare socket for the attacks a library client would not make: it reads only while
 * the test waits for a frame (a test stops reading by not asking), and it can put many frames in one TCP
 * write ({@link #sendInOneWrite}) or flood the node with one frame ({@link #flood}).
 */
public final class WsClient implements AutoCloseable {

    /** The key under which each received frame carries its arrival (System.nanoTime), for tests that time events. */
    public static final String RECEIVED_AT = "_receivedAtNanos";
    /** Queued after the last frame once the socket has closed: nothing comes after it. */
    private static final JsonObject CLOSED = new JsonObject();

    /** The Vert.x socket, for what is below the protocol (fragments, binary frames, bad UTF-8); null over a raw socket. */
    public final WebSocket ws;
    private final WebSocketClient client;
    private final RawSocket raw;
    private final Consumer<JsonObject> listener;
    private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    /** Frames received but not yet asked for: next() never loses a frame it skips. */
    private final List<JsonObject> stash = new ArrayList<>();
    private final CompletableFuture<Short> closed = new CompletableFuture<>();
    private final AtomicLong refs = new AtomicLong();
    /** The close code once the socket has closed; null while it is open. */
    public volatile Short closeCode;

    private WsClient(WebSocketClient client, WebSocket ws, RawSocket raw, Consumer<JsonObject> listener) {
        this.client = client;
        this.ws = ws;
        this.raw = raw;
        this.listener = listener;
        if (ws != null) {
            ws.textMessageHandler(this::received);
            ws.closeHandler(v -> closed(ws.closeStatusCode()));
        }
    }

    public static WsClient connect(Vertx vertx, int port, String token) {
        return connect(vertx, port, token, new WebSocketClientOptions(), f -> { });
    }

    public static WsClient connect(Vertx vertx, int port, String token, WebSocketClientOptions options) {
        return connect(vertx, port, token, options, f -> { });
    }

    /** Connects over Vert.x; {@code listener} is given every frame as it arrives (on the event loop), before it is queued. */
    public static WsClient connect(Vertx vertx, int port, String token, WebSocketClientOptions options,
                                   Consumer<JsonObject> listener) {
        WebSocketClient client = vertx.createWebSocketClient(options.setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                .setURI("/ws?token=" + token);
        try {
            return new WsClient(client, client.connect(connect).await(), null, listener);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Connects over a bare socket; {@code receiveBuffer} > 0 shrinks its receive buffer (a slow reader). */
    public static WsClient connectRaw(int port, String token, int receiveBuffer) {
        try {
            return new WsClient(null, null, RawSocket.connect(port, token, receiveBuffer), f -> { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the frames a client sends; each is a new object, to which a test may add (a ref, an odd field)

    public static JsonObject ping() {
        return frame("ping");
    }

    /** A subscribe to each channel from its last seq: no replay. */
    public static JsonObject subscribe(long... channelIds) {
        JsonArray items = new JsonArray();
        for (long id : channelIds) {
            items.add(new JsonObject().put("id", id));
        }
        return subscribe(items);
    }

    /** A subscribe to one channel that first replays every message after {@code since}. */
    public static JsonObject subscribeSince(long channelId, long since) {
        return subscribe(new JsonArray().add(new JsonObject().put("id", channelId).put("since", since)));
    }

    /** A subscribe with the items as given: channel ids, or {@code {"id", "since"}} objects. */
    public static JsonObject subscribe(JsonArray items) {
        return frame("subscribe").put("channels", items);
    }

    public static JsonObject unsubscribe(long... channelIds) {
        JsonArray ids = new JsonArray();
        for (long id : channelIds) {
            ids.add(id);
        }
        return frame("unsubscribe").put("channels", ids);
    }

    public static JsonObject send(long channelId, String clientMsgId, String body) {
        return frame("send").put("channelId", channelId).put("clientMsgId", clientMsgId).put("body", body);
    }

    public static JsonObject read(long channelId, long seq) {
        return frame("read").put("channelId", channelId).put("seq", seq);
    }

    public static JsonObject typing(long channelId) {
        return frame("typing").put("channelId", channelId);
    }

    private static JsonObject frame(String type) {
        return new JsonObject().put("type", type);
    }

    // ---- sending

    public void send(JsonObject frame) {
        sendText(frame.encode());
    }

    /** One text frame of {@code text} as it is, JSON or not. */
    public void sendText(String text) {
        if (raw == null) {
            ws.writeTextMessage(text).await();
        } else {
            rawIo(() -> raw.write(RawSocket.textFrame(text)));
        }
    }

    /** Sends {@code frame} with its ref (a new one if it has none) and waits for its answer: ack, error or pong. */
    public JsonObject request(JsonObject frame) {
        return request(frame, 10_000);
    }

    public JsonObject request(JsonObject frame, long timeoutMillis) {
        if (frame.getValue("ref") == null) {
            frame.put("ref", "r" + refs.incrementAndGet());
        }
        String ref = String.valueOf(frame.getValue("ref"));
        send(frame);
        return next(f -> ref.equals(String.valueOf(f.getValue("ref"))), timeoutMillis);
    }

    /** Raw socket only: all the frames in one TCP write, so the node reads them at once. */
    public void sendInOneWrite(List<JsonObject> batch) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        batch.forEach(f -> bytes.writeBytes(RawSocket.textFrame(f.encode())));
        rawIo(() -> raw().write(bytes.toByteArray()));
    }

    /**
     * Raw socket only: sends {@code frame} again and again without reading, until {@code maxBytes} went out,
     * or the node took nothing for {@code stallMillis} (it stopped reading and the TCP buffers are full), or
     * {@code maxMillis} passed. Answers the bytes the node's side accepted.
     */
    public long flood(JsonObject frame, long maxBytes, long stallMillis, long maxMillis) {
        long[] sent = new long[1];
        rawIo(() -> sent[0] = raw().flood(RawSocket.textFrame(frame.encode()), maxBytes, stallMillis, maxMillis));
        return sent[0];
    }

    // ---- receiving

    /** The next frame of {@code type}; frames it skips stay for later calls. Fails after 10 s. */
    public JsonObject next(String type) {
        return next(f -> type.equals(f.getString("type")));
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
            JsonObject f = take(deadline - System.currentTimeMillis());
            if (f == null) {
                throw new AssertionError("no matching frame within " + timeoutMillis + " ms; unclaimed frames: " + stash);
            }
            if (f == CLOSED) {
                throw new AssertionError("the socket closed (code " + closeCode + ") before a matching frame; unclaimed frames: " + stash);
            }
            if (p.test(f)) {
                return f;
            }
            stash.add(f);
        }
    }

    /** The answer to the frame sent with {@code ref}. */
    public JsonObject reply(String ref) {
        return next(f -> ref.equals(String.valueOf(f.getValue("ref"))));
    }

    /** Every frame of {@code type} already received or arriving within {@code millis} (less if the socket closes). */
    public List<JsonObject> drain(String type, long millis) {
        List<JsonObject> out = new ArrayList<>();
        stash.removeIf(f -> type.equals(f.getString("type")) && out.add(f));
        long deadline = System.currentTimeMillis() + millis;
        JsonObject f;
        while ((f = take(deadline - System.currentTimeMillis())) != null && f != CLOSED) {
            (type.equals(f.getString("type")) ? out : stash).add(f);
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
        long deadline = System.currentTimeMillis() + millis;
        JsonObject f;
        while ((f = take(deadline - System.currentTimeMillis())) != null && f != CLOSED) {
            stash.add(f);
        }
        return closeCode;
    }

    /** Completes with the close code when the socket closes (at once if it has). */
    public CompletionStage<Short> whenClosed() {
        return closed;
    }

    /**
     * The next frame received within {@code millis}, {@link #CLOSED} once the socket has closed, or null.
     * Over a raw socket this is the only place that reads.
     */
    private JsonObject take(long millis) {
        if (millis <= 0) {
            return null;
        }
        try {
            if (raw != null && frames.isEmpty()) {
                raw.read(millis, this::received, this::closed);
            }
            JsonObject f = frames.poll(raw == null ? millis : 0, TimeUnit.MILLISECONDS);
            if (f == CLOSED) {
                frames.add(CLOSED); // for every later call too
            }
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void received(String text) {
        JsonObject f = new JsonObject(text).put(RECEIVED_AT, System.nanoTime());
        listener.accept(f);
        frames.add(f);
    }

    private void closed(Short code) {
        closeCode = code;
        frames.add(CLOSED);
        closed.complete(code);
    }

    private RawSocket raw() {
        if (raw == null) {
            throw new IllegalStateException("only a client made by connectRaw writes bytes of its own");
        }
        return raw;
    }

    private interface Io {
        void run() throws IOException;
    }

    private static void rawIo(Io io) {
        try {
            io.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (raw != null) {
            rawIo(raw::close);
            return;
        }
        if (!ws.isClosed()) {
            ws.close().await();
        }
        client.close().await();
    }
}
