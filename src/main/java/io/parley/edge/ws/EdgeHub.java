package io.parley.edge.ws;

import io.parley.bus.Addresses;
import io.parley.bus.Views;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.metrics.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The sockets of one edge instance, by channel. Tells the node hub which channels this edge needs and
 * hands each event to the local sessions subscribed to it. Runs on the edge's event loop only.
 */
public final class EdgeHub {

    private final Vertx vertx;
    private final String edgeId = UUID.randomUUID().toString();
    private final Map<Long, Set<SocketSession>> byChannel = new HashMap<>();
    /** Per channel, the hub registration: later subscribers wait for it too, or they could miss events. */
    private final Map<Long, Future<Void>> registrations = new HashMap<>();
    private final Set<SocketSession> sessions = new HashSet<>();
    /** The sessions by their session family (one sign-in), so that a sign-out closes exactly those. */
    private final Map<String, Set<SocketSession>> byFamily = new HashMap<>();
    private MessageConsumer<JsonObject> endings;
    private MessageConsumer<Buffer> deliveries;
    private MessageConsumer<Object> membership;
    private MessageConsumer<Buffer> presence;
    private MessageConsumer<Buffer> mentions;
    /** The sessions of each user on this edge: mentions go to a user's sockets, subscribed or not. */
    private final Map<Long, Set<SocketSession>> byUser = new HashMap<>();

    private final Counter delivered;
    /** From the committing node's publish to this edge's hand-off to its sockets, per new message (null without metrics). */
    private final Timer deliveryLag;
    private final RecoveryMeters recovery;

    public EdgeHub(Vertx vertx) {
        this.vertx = vertx;
        this.replays = nodeReplays(vertx);
        MeterRegistry registry = Metrics.registry(vertx);
        recovery = new RecoveryMeters(registry);
        Gauge.builder("parley.ws.sockets", sessions, Set::size)
                .description("Open WebSockets on this edge").tag("edge", edgeId).register(registry);
        delivered = Counter.builder("parley.messages.delivered")
                .description("Message frames written to sockets (fan-out deliveries)").register(registry);
        // wall clocks of two nodes when the message was committed elsewhere: NTP-synced hosts differ by about a millisecond
        deliveryLag = Timer.builder("parley.messages.delivery")
                .description("New messages, from their publish on the committing node to this edge's sockets").register(registry);
    }

    void count(RecoveryMeters.Event e) {
        recovery.count(e);
    }

    void count(RecoveryMeters.Event e, long n) {
        recovery.count(e, n);
    }

    private void timeDelivery(String event, String at) {
        if (at != null && "message".equals(event)) {
            deliveryLag.record(Math.max(0, System.currentTimeMillis() - Long.parseLong(at)), TimeUnit.MILLISECONDS);
        }
    }

    void countDelivery() {
        delivered.increment();
    }

    public Future<Void> start() {
        deliveries = vertx.eventBus().localConsumer(Addresses.HUB_DELIVER_PREFIX + edgeId, msg -> {
            long channelId = Long.parseLong(msg.headers().get("channelId"));
            String event = msg.headers().get("event");
            String seq = msg.headers().get("seq");
            String user = msg.headers().get("userId");
            // a read marker goes to every member in direct and private channels ("receipt"), else to its user only
            long userId = user == null ? 0 : Long.parseLong(user);
            if ("read".equals(event) && "members".equals(msg.headers().get("scope"))) {
                event = "receipt";
            }
            Set<SocketSession> subs = byChannel.get(channelId);
            if (subs != null) {
                // decoded once for every socket of this edge (a text frame is written from a String)
                String frame = msg.body().toString(StandardCharsets.UTF_8);
                long at = seq == null ? 0 : Long.parseLong(seq);
                String status = msg.headers().get("status");
                // a held message: whole to its author and the moderators, only its place to the others
                String held = status == null ? null : Views.heldEvent(channelId, at, status).encode();
                for (SocketSession s : List.copyOf(subs)) {
                    s.deliver(channelId, event, at, userId, held == null || s.seesHeld(channelId, userId) ? frame : held);
                }
                timeDelivery(event, msg.headers().get("at"));
            }
        });
        // A member that died may have committed messages it never published: re-read every subscribed
        // channel from Postgres, spread over two seconds so a node's death is not a burst of queries.
        membership = vertx.eventBus().localConsumer(Addresses.CLUSTER_CHANGED, msg -> {
            for (Long channelId : List.copyOf(byChannel.keySet())) {
                vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(2000), id -> {
                    Set<SocketSession> subs = byChannel.get(channelId);
                    if (subs != null) {
                        List.copyOf(subs).forEach(s -> s.resync(channelId));
                    }
                });
            }
        });
        presence = vertx.eventBus().localConsumer(Addresses.PRESENCE_DELIVER, msg -> presence(msg.body()));
        mentions = vertx.eventBus().localConsumer(Addresses.MENTIONS_DELIVER, msg -> notice(msg.body()));
        endings = vertx.eventBus().localConsumer(Addresses.AUTH_ENDED, msg -> ended(msg.body()));
        return Future.all(List.of(deliveries.completion(), membership.completion(), presence.completion(), mentions.completion(),
                endings.completion())).mapEmpty();
    }

    /**
     * A batch of presence changes: each goes, once, to the local sessions subscribed to one of the
     * changed user's private or direct channels (not to the user's own sessions).
     */
    private void presence(Buffer batch) {
        JsonArray changes = new JsonObject(batch).getJsonArray("changes");
        for (int i = 0; i < changes.size(); i++) {
            JsonObject change = changes.getJsonObject(i);
            long userId = change.getLong("userId");
            Set<SocketSession> targets = new HashSet<>();
            for (Object ch : change.getJsonArray("channels")) {
                Set<SocketSession> subs = byChannel.get(((Number) ch).longValue());
                if (subs != null) {
                    subs.forEach(s -> {
                        if (s.userId() != userId) {
                            targets.add(s);
                        }
                    });
                }
            }
            if (!targets.isEmpty()) {
                String frame = new JsonObject().put("type", "presence").put("userId", userId).put("online", change.getBoolean("online"))
                        .put("lastSeenAt", change.getString("lastSeenAt")).encode();
                targets.forEach(s -> s.notice(frame));
            }
        }
    }

    /**
     * A user notice: a message mentioned users, or someone added them to a channel. Each of their sockets
     * here gets one {@code mention} or {@code added} frame (without the others' ids).
     */
    private void notice(Buffer event) {
        JsonObject e = new JsonObject(event);
        String frame = null;
        for (Object id : e.getJsonArray("userIds", new JsonArray())) {
            Set<SocketSession> mine = byUser.get(((Number) id).longValue());
            if (mine == null) {
                continue;
            }
            if (frame == null) {
                // a user notice: a mention, or being added to a channel by someone else
                frame = "added".equals(e.getString("type"))
                        ? new JsonObject().put("type", "added").put("channelId", e.getLong("channelId")).encode()
                        : new JsonObject().put("type", "mention").put("channelId", e.getLong("channelId")).put("seq", e.getLong("seq"))
                        .put("senderId", e.getLong("senderId")).encode();
            }
            for (SocketSession s : mine) {
                s.notice(frame);
            }
        }
    }

    void opened(SocketSession s) {
        sessions.add(s);
        byUser.computeIfAbsent(s.userId(), k -> new HashSet<>(2)).add(s);
        if (s.familyId() != null) {
            byFamily.computeIfAbsent(s.familyId(), k -> new HashSet<>(2)).add(s);
        }
    }

    void closed(SocketSession s) {
        sessions.remove(s);
        Set<SocketSession> users = byUser.get(s.userId());
        if (users != null && users.remove(s) && users.isEmpty()) {
            byUser.remove(s.userId());
        }
        Set<SocketSession> same = s.familyId() == null ? null : byFamily.get(s.familyId());
        if (same != null && same.remove(s) && same.isEmpty()) {
            byFamily.remove(s.familyId());
        }
    }

    /** Sessions that ended (from the node's revocation verticle): their sockets here close with 4001. */
    private void ended(JsonObject body) {
        JsonArray families = body.getJsonArray("families");
        if (families == null) {
            return;
        }
        for (Object f : families) {
            Set<SocketSession> same = byFamily.get(String.valueOf(f));
            if (same != null) {
                List.copyOf(same).forEach(s -> s.close(SocketSession.SESSION_REVOKED, SocketSession.SESSION_REVOKED_REASON));
            }
        }
    }

    /** Completes once events of the channel reach this edge. */
    Future<Void> subscribe(long channelId, SocketSession s) {
        Set<SocketSession> subs = byChannel.get(channelId);
        if (subs != null) {
            subs.add(s);
            return registrations.get(channelId);
        }
        Set<SocketSession> fresh = new HashSet<>();
        fresh.add(s);
        byChannel.put(channelId, fresh);
        Future<Void> registered = register(channelId, 1).andThen(ar -> {
            if (ar.failed() && byChannel.get(channelId) == fresh) {
                // every session waiting on it fails its subscribe; the next subscribe registers afresh
                byChannel.remove(channelId);
                registrations.remove(channelId);
            }
        });
        registrations.put(channelId, registered);
        return registered;
    }

    /** Asks the node hub for the channel's route, retrying a failed registration twice with a backoff. */
    private Future<Void> register(long channelId, int attempt) {
        return vertx.eventBus().request(Addresses.HUB_INTEREST, interest(channelId, true), new DeliveryOptions().setLocalOnly(true))
                .<Void>mapEmpty()
                .recover(t -> {
                    if (attempt >= REGISTER_ATTEMPTS) {
                        return Future.failedFuture(ParleyException.of(ErrorCode.UNAVAILABLE,
                                "Channel " + channelId + " cannot be followed right now; subscribe again."));
                    }
                    Promise<Void> later = Promise.promise();
                    vertx.setTimer(100L * attempt * attempt, id -> register(channelId, attempt + 1).onComplete(later));
                    return later.future();
                });
    }

    /** Tries of one route registration before the subscribes waiting on it fail. */
    static final int REGISTER_ATTEMPTS = 3;

    void unsubscribe(long channelId, SocketSession s) {
        Set<SocketSession> subs = byChannel.get(channelId);
        if (subs != null && subs.remove(s) && subs.isEmpty()) {
            byChannel.remove(channelId);
            registrations.remove(channelId);
            vertx.eventBus().request(Addresses.HUB_INTEREST, interest(channelId, false), new DeliveryOptions().setLocalOnly(true));
        }
    }

    private JsonObject interest(long channelId, boolean on) {
        return new JsonObject().put("edge", edgeId).put("channelId", channelId).put("on", on);
    }

    /**
     * Replay reads in flight on this node, by channel, after and limit: one read serves every socket of
     * every edge asking at once. Shared by the node's edges (they run on different event loops).
     */
    private final ConcurrentMap<String, Future<List<Replayed>>> replays;

    private record Replays(ConcurrentMap<String, Future<List<Replayed>>> map)
            implements Shareable {
    }

    private static ConcurrentMap<String, Future<List<Replayed>>> nodeReplays(Vertx vertx) {
        return vertx.sharedData().<String, Replays>getLocalMap("parley.node.replays")
                .computeIfAbsent("inFlight", k -> new Replays(new ConcurrentHashMap<>())).map();
    }

    /**
     * The page {@code read} answers, shared with every caller on this node that asks for the same channel,
     * {@code after} and {@code limit} while it is in flight (so a gap or a lost member seen by a thousand
     * sockets on every edge of the node costs one query). The map holds only reads in flight; a caller on
     * another edge gets the answer on its own event loop.
     */
    Future<List<Replayed>> sharedReplay(long channelId, long after, int limit, Supplier<Future<List<Replayed>>> read) {
        String key = channelId + ":" + after + ":" + limit;
        Future<List<Replayed>> shared = replays.get(key);
        if (shared == null) {
            Future<List<Replayed>> f = read.get();
            if (f.isComplete()) {
                return f;
            }
            shared = replays.putIfAbsent(key, f);
            if (shared == null) {
                f.onComplete(ar -> replays.remove(key, f));
                return f;
            }
            // another edge started the same read a moment ago: use its answer (ours is simply not awaited)
        }
        Context here = vertx.getOrCreateContext();
        Promise<List<Replayed>> mine = Promise.promise();
        shared.onComplete(ar -> here.runOnContext(v -> mine.handle(ar)));
        return mine.future();
    }

    /**
     * A replayed message: its seq and its WebSocket frame, encoded once for every socket that replays it;
     * for a pending message also its {@code held} frame, for the sockets that may not see it whole.
     */
    record Replayed(long seq, String frame, String held, long senderId) {
    }

    /** Runs {@code task} on this edge's event loop after {@code delayMillis}; answers the timer's id. */
    long timer(long delayMillis, Runnable task) {
        return vertx.setTimer(delayMillis, id -> task.run());
    }

    void cancelTimer(long id) {
        vertx.cancelTimer(id);
    }

    /** Stops taking hub deliveries; the sockets themselves are drained by the server's shutdown. */
    public Future<Void> stop() {
        return Future.join(List.of(deliveries.unregister(), membership.unregister(), presence.unregister(), mentions.unregister(),
                endings.unregister())).mapEmpty();
    }

    /** Closes sessions with no frame from the client for longer than {@code idleMillis}. */
    public void sweepIdle(long idleMillis) {
        long now = System.currentTimeMillis();
        for (SocketSession s : List.copyOf(sessions)) {
            if (now - s.lastFrameAt() > idleMillis) {
                s.close((short) 1001, "idle timeout");
            }
        }
    }
}
