package io.parley.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * A client as a real app should be written: subscribed to one channel, and when its node goes away it
 * reconnects to another and subscribes with {@code since} = the last seq it has. It records every
 * message it is given, so a test can count lost and duplicated deliveries.
 */
public final class ResilientClient {

    private final Vertx vertx;
    private final WebSocketClient client;
    private final String token;
    private final long channelId;
    private final List<Integer> ports;
    private final AtomicInteger portIndex;
    private final Map<String, Promise<JsonObject>> pending = new ConcurrentHashMap<>();
    private final AtomicLong refs = new AtomicLong();
    private volatile WebSocket ws;
    private volatile boolean closing;

    /** Every seq delivered, in arrival order, across reconnections. */
    public final List<Long> received = new CopyOnWriteArrayList<>();
    public final List<Short> closeCodes = new CopyOnWriteArrayList<>();
    public final AtomicInteger reconnects = new AtomicInteger();
    private volatile long lastSeq;

    public ResilientClient(Vertx vertx, String token, long channelId, List<Integer> ports, int firstPort) {
        this.vertx = vertx;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(2000));
        this.token = token;
        this.channelId = channelId;
        this.ports = new ArrayList<>(ports);
        this.portIndex = new AtomicInteger(this.ports.indexOf(firstPort));
    }

    public int currentPort() {
        return ports.get(Math.floorMod(portIndex.get(), ports.size()));
    }

    /** Connects (trying the nodes in turn) and subscribes with since; completes on the subscribe ack. */
    public Future<Void> connect() {
        return attempt(ports.size() * 3);
    }

    private Future<Void> attempt(int left) {
        int port = currentPort();
        WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws?token=" + token);
        return client.connect(o).compose(socket -> {
            ws = socket;
            socket.textMessageHandler(this::onText);
            socket.closeHandler(v -> onClosed(socket));
            return request(new JsonObject().put("type", "subscribe")
                    .put("channels", new JsonArray().add(new JsonObject().put("id", channelId).put("since", lastSeq))))
                    .compose(ack -> "ack".equals(ack.getString("type")) ? Future.<Void>succeededFuture()
                            : Future.failedFuture(new IllegalStateException("subscribe refused: " + ack)));
        }).recover(t -> {
            if (left <= 0 || closing) {
                return Future.failedFuture(t);
            }
            portIndex.incrementAndGet();
            Promise<Void> later = Promise.promise();
            vertx.setTimer(150, id -> attempt(left - 1).onComplete(later));
            return later.future();
        });
    }

    private void onClosed(WebSocket socket) {
        if (socket != ws) {
            return;
        }
        closeCodes.add(socket.closeStatusCode());
        ws = null;
        List<Promise<JsonObject>> failed = new ArrayList<>(pending.values());
        pending.clear();
        failed.forEach(p -> p.tryFail("connection closed"));
        if (!closing) {
            reconnects.incrementAndGet();
            portIndex.incrementAndGet();
            vertx.setTimer(100, id -> connect());
        }
    }

    private void onText(String text) {
        JsonObject f = new JsonObject(text);
        String type = f.getString("type");
        if ("message".equals(type) && f.getLong("channelId") == channelId) {
            long seq = f.getLong("seq");
            received.add(seq);
            lastSeq = Math.max(lastSeq, seq);
        } else if (f.getValue("ref") != null) {
            Promise<JsonObject> p = pending.remove(String.valueOf(f.getValue("ref")));
            if (p != null) {
                p.tryComplete(f);
            }
        }
    }

    /** Sends a frame with a fresh ref; completes with the ack or error frame, fails if the socket closes first. */
    public Future<JsonObject> request(JsonObject frame) {
        WebSocket socket = ws;
        if (socket == null) {
            return Future.failedFuture("not connected");
        }
        String ref = "r" + refs.incrementAndGet();
        Promise<JsonObject> p = Promise.promise();
        pending.put(ref, p);
        socket.writeTextMessage(frame.put("ref", ref).encode()).onFailure(p::tryFail);
        return p.future().timeout(5, TimeUnit.SECONDS);
    }

    /**
     * Sends one message, retrying with the same clientMsgId (safe: sends are idempotent) until it is
     * acked; answers the committed seq, or -1 if it could not be sent within the attempts.
     */
    public long sendUntilAcked(String clientMsgId, String body, IntSupplier attempts) {
        for (int i = 0; i < attempts.getAsInt(); i++) {
            try {
                JsonObject r = request(new JsonObject().put("type", "send").put("channelId", channelId)
                        .put("clientMsgId", clientMsgId).put("body", body)).await();
                if ("ack".equals(r.getString("type"))) {
                    return r.getLong("seq");
                }
            } catch (RuntimeException e) {
                // closed or timed out: the reconnect loop is at work
            }
            // paced retries, as a client's: callers bound them by a number of attempts, not by a condition
            NodeProcess.sleep(200);
        }
        return -1;
    }

    public boolean connected() {
        return ws != null;
    }

    public void close() {
        closing = true;
        WebSocket socket = ws;
        if (socket != null) {
            socket.close();
        }
        client.close();
    }
}
