package io.parley.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A client as a real app should be written: subscribed to one channel, and when its node goes away it
 * reconnects to another and subscribes with {@code since} = the last seq it has. Each connection is a
 * {@link WsClient}; this class only decides when and where to connect. It records every message it is
 * given, so a test can count lost and duplicated deliveries.
 */
public final class ResilientClient {

    private final Vertx vertx;
    private final String token;
    private final long channelId;
    private final List<Integer> ports;
    private final AtomicInteger portIndex;
    private volatile WsClient ws;
    private volatile boolean closing;

    /** Every seq delivered, in arrival order, across reconnections. */
    public final List<Long> received = new CopyOnWriteArrayList<>();
    public final List<Short> closeCodes = new CopyOnWriteArrayList<>();
    public final AtomicInteger reconnects = new AtomicInteger();
    private volatile long lastSeq;

    public ResilientClient(Vertx vertx, String token, long channelId, List<Integer> ports, int firstPort) {
        this.vertx = vertx;
        this.token = token;
        this.channelId = channelId;
        this.ports = new ArrayList<>(ports);
        this.portIndex = new AtomicInteger(this.ports.indexOf(firstPort));
    }

    /**
     * Connects, trying the nodes in turn (three rounds, 150 ms apart), and subscribes with since; returns
     * once the subscribe is acked, throws if no node acked it.
     */
    public void connect() {
        IllegalStateException failed = new IllegalStateException("no node acked the subscribe to channel " + channelId);
        for (int left = ports.size() * 3; left >= 0 && !closing; left--) {
            WsClient c = null;
            try {
                int port = ports.get(Math.floorMod(portIndex.get(), ports.size()));
                c = WsClient.connect(vertx, port, token, new WebSocketClientOptions().setConnectTimeout(2000), this::onFrame);
                JsonObject ack = c.request(WsClient.subscribeSince(channelId, lastSeq), 5_000);
                if ("ack".equals(ack.getString("type"))) {
                    WsClient connected = c;
                    ws = connected;
                    connected.whenClosed().thenAccept(code -> onClosed(connected, code));
                    return;
                }
                failed.addSuppressed(new IllegalStateException("subscribe refused: " + ack));
            } catch (RuntimeException | AssertionError e) {
                failed.addSuppressed(e);
            }
            if (c != null) {
                c.close();
            }
            portIndex.incrementAndGet();
            NodeProcess.sleep(150); // a client's pace between attempts
        }
        throw failed;
    }

    /** Runs on the event loop: records the message, and the seq to resume from. */
    private void onFrame(JsonObject f) {
        if ("message".equals(f.getString("type")) && f.getLong("channelId") == channelId) {
            long seq = f.getLong("seq");
            received.add(seq);
            lastSeq = Math.max(lastSeq, seq);
        }
    }

    /** Runs on the event loop (or at once, if it closed before it was watched): reconnects on a thread of its own. */
    private void onClosed(WsClient c, Short code) {
        closeCodes.add(code);
        ws = null;
        if (closing) {
            return;
        }
        reconnects.incrementAndGet();
        portIndex.incrementAndGet();
        Thread reconnect = new Thread(() -> {
            c.close();
            NodeProcess.sleep(100);
            try {
                connect();
            } catch (RuntimeException e) {
                // every node refused for three rounds: the client stays away, and the counts show it
            }
        }, "reconnect");
        reconnect.setDaemon(true);
        reconnect.start();
    }

    /**
     * Sends one message, retrying with the same clientMsgId (safe: sends are idempotent) until it is
     * acked; answers the committed seq, or -1 if it could not be sent within the attempts.
     */
    public long sendUntilAcked(String clientMsgId, String body, IntSupplier attempts) {
        for (int i = 0; i < attempts.getAsInt(); i++) {
            WsClient c = ws;
            try {
                JsonObject r = c == null ? null : c.request(WsClient.send(channelId, clientMsgId, body), 5_000);
                if (r != null && "ack".equals(r.getString("type"))) {
                    return r.getLong("seq");
                }
            } catch (RuntimeException | AssertionError e) {
                // closed or timed out: the reconnect loop is at work
            }
            // paced retries, as a client's: callers bound them by a number of attempts, not by a condition
            NodeProcess.sleep(200);
        }
        return -1;
    }

    public void close() {
        closing = true;
        WsClient c = ws;
        if (c != null) {
            c.close();
        }
    }
}
