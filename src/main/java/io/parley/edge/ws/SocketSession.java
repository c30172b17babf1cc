package io.parley.edge.ws;

import io.parley.bus.Addresses;
import io.parley.edge.Input;
import io.parley.config.ParleyConfig;
import io.parley.domain.Message;
import io.parley.domain.Principal;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.edge.RateLimiter;
import io.parley.bus.ChatApi;
import io.parley.bus.Fanout;
import io.parley.bus.Views;
import io.parley.domain.SubscribeCheck;
import io.parley.edge.Sending;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.parley.auth.Revocations;
import io.parley.edge.StrictJson;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One WebSocket connection: parses client frames, answers each {@code ref} with an ack or an error, and
 * delivers channel events in seq order, each once. A subscription with {@code since} first replays from
 * Postgres while live events are held back, then flushes them; a gap in live seqs (events of one channel
 * can come from several nodes) triggers the same catch-up from Postgres.
 */
final class SocketSession {

    /** Longest {@code ref} echoed back: a client cannot make the node repeat a large string in every answer. */
    static final int MAX_REF_CHARS = 64;
    /** Why reading from the socket is paused: too many frames awaiting their answer, or a full write queue. */
    private static final int PAUSED_INFLIGHT = 1;
    private static final int PAUSED_WRITES = 2;

    /** The typing rate limit is per user and channel. */
    record TypingKey(long userId, long channelId) {
    }


    private final ServerWebSocket ws;
    private final Principal principal;
    /** This connection in the presence state: unique in the cluster. */
    private final String connId = UUID.randomUUID().toString();
    private final EdgeHub hub;
    private final EventBus eventBus;
    private final Fanout fanout;
    private final ParleyConfig config;
    private final ChatApi chat;
    private final Sending sending;
    private final RateLimiter<TypingKey> typingLimiter;
    /** parley.ws.request{type}: from a frame's arrival to its ack or error. */
    private final Function<String, Timer> timer;
    private final Map<Long, ChannelOrder<String>> subs = new HashMap<>();
    /** The subscribed channels this user moderates: their held messages come whole, not as {@code held}. */
    private final Set<Long> moderated = new HashSet<>();
    /** Subscribed channels this user is a member of in good standing (who may type there): a subset of subs. */
    private final Set<Long> speaking = new HashSet<>();
    private long lastFrameAt = System.currentTimeMillis();
    private boolean closed;
    /** Requests sent to persistence and not answered yet; a draining session waits for them. */
    private int inflight;
    private boolean draining;
    private Runnable drained;
    /** Frames read whose answer is not written yet; at ws.maxInflightFrames reading pauses. */
    private int awaitingAnswer;
    /** Subscribe frames being processed; more than ws.maxConcurrentSubscribes are refused. */
    private int subscribing;
    /** PAUSED_* bits; reading resumes when none is left. */
    private int pausedFor;
    /** The node's view of ended sessions: a frame of an ended session closes the socket. */
    private final Revocations revocations;
    /** The timer that closes a guest's socket when the guest ends; -1 when none. */
    private long endTimer = -1;

    /** Close codes of ended sessions (documented in docs/protocol.md). */
    static final short SESSION_REVOKED = 4001;
    static final String SESSION_REVOKED_REASON = "session ended; sign in again";
    static final short GUEST_EXPIRED = 4002;
    static final String GUEST_EXPIRED_REASON = "guest session ended";

    /** Replays waiting for the write queue to drain. */
    private final List<Promise<Void>> writableWaiters = new ArrayList<>();

    SocketSession(ServerWebSocket ws, Principal principal, EdgeHub hub, EventBus eventBus, Fanout fanout, ParleyConfig config,
                  ChatApi chat, Sending sending, RateLimiter<TypingKey> typingLimiter,
                  Function<String, Timer> timer,
                  Revocations revocations) {
        this.timer = timer;
        this.revocations = revocations;
        this.ws = ws;
        this.principal = principal;
        this.hub = hub;
        this.eventBus = eventBus;
        this.fanout = fanout;
        this.config = config;
        this.chat = chat;
        this.sending = sending;
        this.typingLimiter = typingLimiter;
    }

    void start() {
        hub.opened(this);
        if (principal.endsAt() > 0) {
            long delay = Math.max(1, principal.endsAt() * 1000 - System.currentTimeMillis());
            endTimer = hub.timer(delay, () -> close(GUEST_EXPIRED, GUEST_EXPIRED_REASON));
        }
        ws.textMessageHandler(this::onText);
        ws.binaryMessageHandler(b -> error(null, ErrorCode.BAD_REQUEST, "Send JSON text frames; binary frames are not understood."));
        ws.frameHandler(f -> lastFrameAt = System.currentTimeMillis());
        ws.exceptionHandler(this::onError);
        ws.closeHandler(v -> onClose());
        ws.drainHandler(v -> onDrained());
        ws.shutdownHandler(v -> drainAndClose((short) 1012, "node shutting down; reconnect and resume with since"));
        eventBus.send(Addresses.SOCKET_CONNECTED, new JsonObject().put("userId", principal.userId()).put("connId", connId),
                new DeliveryOptions().setLocalOnly(true));
    }

    /**
     * The codec refused what the client sent: a message over the limit, whether in one frame, in many
     * fragments or compressed, closes with 1009; other protocol violations with the status Netty gives them.
     */
    private void onError(Throwable t) {
        if (ws.isClosed()) {
            return;
        }
        if (t instanceof CorruptedWebSocketFrameException c) {
            ws.close((short) c.closeStatus().code(), c.closeStatus().reasonText());
        } else if (t instanceof DecompressionException
                || (t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("max message size"))) {
            ws.close((short) 1009, "message too big");
        }
    }

    long userId() {
        return principal.userId();
    }

    String familyId() {
        return principal.familyId();
    }

    /** Whether this socket is shown a held message of {@code senderId} whole: its author's, and the moderators'. */
    boolean seesHeld(long channelId, long senderId) {
        return senderId == principal.userId() || moderated.contains(channelId);
    }

    boolean isSubscribed(long channelId) {
        return subs.containsKey(channelId);
    }

    /** A presence or mention frame, already serialized once for this edge. */
    void notice(String frame) {
        // notices are best effort: a slow client misses one rather than being cut off
        if (!closed && !draining && !ws.writeQueueFull()) {
            ws.writeTextMessage(frame);
        }
    }

    long lastFrameAt() {
        return lastFrameAt;
    }

    private void onClose() {
        if (closed) {
            return;
        }
        closed = true;
        if (endTimer >= 0) {
            hub.cancelTimer(endTimer);
        }
        onDrained(); // wakes replays waiting for a queue that will never drain now; they see the socket closed
        subs.keySet().forEach(id -> hub.unsubscribe(id, this));
        subs.clear();
        hub.closed(this);
        eventBus.send(Addresses.SOCKET_DISCONNECTED, new JsonObject().put("userId", principal.userId()).put("connId", connId),
                new DeliveryOptions().setLocalOnly(true));
    }

    Future<Void> close(short code, String reason) {
        return ws.isClosed() ? Future.succeededFuture() : ws.close(code, reason);
    }

    /**
     * Graceful stop: new frames are refused with {@code unavailable}, requests already sent are answered
     * (so every committed send is acked), then the socket closes with {@code code}. Bounded by the server's
     * shutdown timeout, after which Vert.x closes the connection anyway.
     */
    void drainAndClose(short code, String reason) {
        draining = true;
        Runnable closeNow = () -> close(code, reason);
        if (inflight == 0) {
            closeNow.run();
        } else {
            drained = closeNow;
        }
    }

    /** Wraps a request to persistence so that draining knows when the last answer has gone out. */
    private <T> Future<T> tracked(Future<T> request) {
        inflight++;
        return request.andThen(ar -> {
            inflight--;
            if (inflight == 0 && drained != null) {
                // let the ack written just after this completion go first
                Vertx.currentContext().runOnContext(v -> drained.run());
            }
        });
    }

    private void onText(String text) {
        lastFrameAt = System.currentTimeMillis();
        long received = System.nanoTime();
        JsonObject frame;
        try {
            // the same strict reader as HTTP bodies: no comments, duplicate keys, lone surrogates or NUL
            frame = StrictJson.object(text, "The frame");
        } catch (ParleyException e) {
            error(null, e);
            return;
        }
        Object ref = frame.getValue("ref");
        if (ref != null && (!(ref instanceof String) && !(ref instanceof Number) || String.valueOf(ref).length() > MAX_REF_CHARS)) {
            error(null, ErrorCode.VALIDATION, "ref must be a string or a number of at most " + MAX_REF_CHARS + " characters.");
            return;
        }
        if (revocations != null && revocations.revoked(principal)) {
            // the close event may still be on its way; this frame of an ended session is not served
            close(SESSION_REVOKED, SESSION_REVOKED_REASON);
            return;
        }
        if (draining) {
            error(ref, ErrorCode.UNAVAILABLE, "This node is shutting down; reconnect and send again (the same clientMsgId is safe).");
            return;
        }
        try {
            Object type = frame.getValue("type");
            if (!(type instanceof String t)) {
                throw ParleyException.of(ErrorCode.VALIDATION, "Every frame needs a \"type\".");
            }
            Future<JsonObject> result = switch (t) {
                case "subscribe" -> subscribe(frame);
                case "unsubscribe" -> unsubscribe(frame);
                case "send" -> send(frame);
                case "read" -> read(frame);
                case "typing" -> typing(frame);
                case "ping" -> Future.succeededFuture(new JsonObject().put("type", "pong"));
                default -> throw ParleyException.of(ErrorCode.UNKNOWN_TYPE, "Unknown frame type"
                        + (t.length() <= 32 ? " \"" + t + "\"" : "") + "; expected subscribe, unsubscribe, send, typing, read or ping.");
            };
            awaiting(result);
            result.onComplete(ar -> timer.apply(t).record(System.nanoTime() - received, TimeUnit.NANOSECONDS));
            result.onSuccess(reply -> {
                if ("pong".equals(reply.getString("type"))) {
                    answer(ref == null ? reply : reply.put("ref", ref));
                } else if (ref != null) {
                    answer(reply.put("type", "ack").put("ref", ref));
                }
            }).onFailure(e -> error(ref, ParleyException.from(e)));
        } catch (RuntimeException e) {
            error(ref, ParleyException.from(e));
        }
    }

    private Future<JsonObject> send(JsonObject frame) {
        long channelId = Input.id(frame, "channelId");
        return tracked(sending.send(principal, channelId, frame, true)).map(r -> {
            JsonObject ack = new JsonObject().put("channelId", channelId).put("seq", r.message().seq())
                    .put("createdAt", Views.time(r.message().createdAt())).put("clientMsgId", r.message().clientMsgId());
            return r.message().held() ? ack.put("status", r.message().status()) : ack;
        });
    }

    private Future<JsonObject> read(JsonObject frame) {
        return tracked(chat.read(principal, Input.id(frame, "channelId"), Input.id(frame, "seq")).map(Views::read));
    }

    /**
     * Typing is for members in good standing: a room's reader who has not joined, or a banned user, types
     * to nobody. A channel joined after the subscribe is looked up once (and then remembered).
     */
    private Future<JsonObject> typing(JsonObject frame) {
        long channelId = Input.id(frame, "channelId");
        if (!subs.containsKey(channelId)) {
            throw Input.invalid("Subscribe to channel " + channelId + " on this connection before sending typing.");
        }
        Future<Boolean> member = speaking.contains(channelId) ? Future.succeededFuture(true)
                : tracked(chat.access(principal, List.of(channelId))).map(check -> {
                    boolean in = !check.allowed().isEmpty() && check.allowed().get(0).member();
                    if (in && subs.containsKey(channelId)) {
                        speaking.add(channelId);
                    }
                    return in;
                });
        return member.compose(in -> {
            if (!in) {
                return Future.failedFuture(ParleyException.of(ErrorCode.NOT_A_MEMBER,
                        "Join channel " + channelId + " before typing in it: readers who are not members do not type."));
            }
            if (typingLimiter.tryAcquire(new TypingKey(principal.userId(), channelId))) {
                fanout.typing(channelId, principal.userId());
            }
            return Future.succeededFuture(new JsonObject());
        });
    }

    /** What this user may do in a subscribed channel changed (a lounge's moderators changed): looked up again. */
    private void recheck(long channelId) {
        chat.access(principal, List.of(channelId)).onSuccess(check -> {
            if (!subs.containsKey(channelId) || closed) {
                return;
            }
            if (check.allowed().isEmpty()) {
                drop(channelId);
                return;
            }
            SubscribeCheck.Allowed a = check.allowed().get(0);
            if (a.moderates()) {
                moderated.add(channelId);
            } else {
                moderated.remove(channelId);
            }
            if (a.member()) {
                speaking.add(channelId);
            } else {
                speaking.remove(channelId);
            }
        });
    }

    private Future<JsonObject> unsubscribe(JsonObject frame) {
        Object list = frame.getValue("channels");
        if (!(list instanceof JsonArray ids)) {
            throw Input.invalid("channels must be a list of channel ids.");
        }
        if (ids.size() > config.ws().maxChannelsPerFrame()) {
            throw Input.invalid("An unsubscribe frame can name at most " + config.ws().maxChannelsPerFrame() + " channels.");
        }
        for (Object o : ids) {
            long id = Input.id(new JsonObject().put("id", o), "id");
            if (subs.remove(id) != null) {
                moderated.remove(id);
                speaking.remove(id);
                hub.unsubscribe(id, this);
            }
        }
        return Future.succeededFuture(new JsonObject());
    }

    /**
     * What one subscribe frame may cost is bounded: at most ws.maxChannelsPerFrame items, a repeated id
     * counted once, one query for the access of all of them, one for their positions once the live routes
     * exist, a replay query only for channels with something missed, and at most ws.maxReplayPerFrame
     * messages replayed in all (the newest of each channel; the ack marks a channel whose replay was cut).
     */
    private Future<JsonObject> subscribe(JsonObject frame) {
        Object list = frame.getValue("channels");
        if (!(list instanceof JsonArray items) || items.isEmpty()) {
            throw Input.invalid("channels must be a non-empty list like [{\"id\": 7, \"since\": 120}].");
        }
        int maxItems = config.ws().maxChannelsPerFrame();
        if (items.size() > maxItems) {
            throw Input.invalid("A subscribe frame can name at most " + maxItems + " channels; send several frames.");
        }
        // One entry per channel; of repeated items the one asking for the most history wins.
        Map<Long, Long> wanted = new LinkedHashMap<>();
        for (Object o : items) {
            JsonObject item = o instanceof JsonObject j ? j : new JsonObject().put("id", o);
            Long since = Input.optId(item, "since");
            wanted.merge(Input.id(item, "id"), since == null ? -1 : since, (a, b) -> a < 0 ? b : b < 0 ? a : Math.min(a, b));
        }
        long fresh = wanted.keySet().stream().filter(id -> !subs.containsKey(id)).count();
        if (subs.size() + fresh > config.ws().maxSubscriptions()) {
            throw Input.invalid("A connection can subscribe to at most " + config.ws().maxSubscriptions() + " channels.");
        }
        if (subscribing >= config.ws().maxConcurrentSubscribes()) {
            throw ParleyException.of(ErrorCode.RATE_LIMITED, "Wait for the answer to your earlier subscribe frames before sending another.");
        }
        subscribing++;
        long resuming = wanted.values().stream().filter(since -> since >= 0).count();
        if (resuming > 0) {
            hub.count(RecoveryMeters.Event.RESUME, resuming);
        }
        return chat.access(principal, new ArrayList<>(wanted.keySet()))
                .compose(access -> subscribeAllowed(access, wanted))
                .andThen(ar -> subscribing--);
    }

    /** One channel of a subscribe frame between its access check and its ack. */
    private record Subscribing(long channelId, ChannelOrder<String> sub, long since, long lastDecisionSeq) {
    }

    /**
     * Starts holding live events of every allowed channel, registers the routes, reads their positions (so
     * anything committed later arrives live), then replays what each missed, within the frame's budget.
     * Each channel succeeds or fails on its own: the ack lists both, and only if none succeeded is it an error.
     */
    private Future<JsonObject> subscribeAllowed(SubscribeCheck access, Map<Long, Long> wanted) {
        JsonArray failed = new JsonArray();
        access.refused().forEach(r -> failed.add(new JsonObject().put("id", r.channelId()).put("code", r.code().slug).put("message", r.message())));
        List<SubscribeCheck.Allowed> allowed = access.allowed();
        if (!failed.isEmpty()) {
            hub.count(RecoveryMeters.Event.SUBSCRIBE_FAILED, failed.size());
        }
        JsonArray done = new JsonArray();
        List<Subscribing> started = new ArrayList<>();
        List<Future<Void>> routes = new ArrayList<>();
        for (int i = 0; i < allowed.size() && !closed; i++) {
            long id = allowed.get(i).channelId();
            long since = wanted.get(id);
            long lastSeq = allowed.get(i).lastSeq();
            // A new state replaces an earlier one: a catch-up still running for the old one stops at its next page.
            ChannelOrder<String> sub = new ChannelOrder<String>(since < 0 ? lastSeq : Math.min(since, lastSeq), true);
            subs.put(id, sub);
            if (allowed.get(i).moderates()) {
                moderated.add(id);
            } else {
                moderated.remove(id);
            }
            if (allowed.get(i).member()) {
                speaking.add(id);
            } else {
                speaking.remove(id);
            }
            Subscribing s = new Subscribing(id, sub, since < 0 ? -1 : Math.min(since, lastSeq), allowed.get(i).lastDecisionSeq());
            started.add(s);
            routes.add(hub.subscribe(id, this).recover(t -> {
                fail(failed, s, ParleyException.of(ErrorCode.UNAVAILABLE, "Channel " + id + " cannot be followed right now; subscribe again."));
                return Future.succeededFuture();
            }));
        }
        return Future.all(routes).compose(v -> {
            List<Long> live = started.stream().filter(s -> subs.get(s.channelId()) == s.sub()).map(Subscribing::channelId).toList();
            return live.isEmpty() ? Future.succeededFuture(Map.<Long, Long>of()) : chat.positions(live);
        }).compose(positions -> {
            int[] budget = {config.ws().maxReplayPerFrame()};
            Future<Void> chain = Future.succeededFuture();
            for (Subscribing s : started) {
                chain = chain.compose(v -> replayWithin(s, positions.get(s.channelId()), budget, done, failed));
            }
            return chain;
        }).compose(v -> {
            if (done.isEmpty()) {
                if (failed.isEmpty()) {
                    return Future.failedFuture(ParleyException.of(ErrorCode.UNAVAILABLE, "The connection closed during the subscribe."));
                }
                JsonObject first = failed.getJsonObject(0);
                ErrorCode code = Arrays.stream(ErrorCode.values()).filter(c -> c.slug.equals(first.getString("code")))
                        .findFirst().orElse(ErrorCode.INTERNAL);
                return Future.failedFuture(ParleyException.of(code, first.getString("message")));
            }
            JsonObject ack = new JsonObject().put("channels", done);
            return Future.succeededFuture(failed.isEmpty() ? ack : ack.put("failed", failed));
        });
    }

    /** Replays one channel of a subscribe up to {@code position}, the newest part only when over the budget. */
    private Future<Void> replayWithin(Subscribing s, Long position, int[] budget, JsonArray done, JsonArray failed) {
        ChannelOrder<String> sub = s.sub();
        JsonObject entry = new JsonObject().put("id", s.channelId());
        if (subs.get(s.channelId()) != sub) {
            // Its route failed (already in failed), it was unsubscribed, the socket closed, or a later subscribe
            // of the same channel took over: that frame's ack tells where the channel now stands.
            ChannelOrder<String> now = subs.get(s.channelId());
            if (now != null && !closed) {
                done.add(entry.put("lastSeq", sub.lastSeq()).put("superseded", true));
            }
            return Future.succeededFuture();
        }
        long missed = position == null ? 0 : position - sub.lastSeq();
        if (missed > budget[0]) {
            sub.skipTo(position - budget[0]);
            entry.put("truncated", true).put("replayedAfter", sub.lastSeq());
        }
        budget[0] -= (int) Math.min(missed, budget[0]);
        // approvals and rejections of messages the client has (as held) that it may have missed while away
        Future<Void> decided = s.since() >= 0 && s.lastDecisionSeq() >= s.since() ? decisions(s) : Future.succeededFuture();
        Future<Void> caught = decided.compose(v -> {
            if (missed > 0) {
                return catchUp(s.channelId(), sub);
            }
            flush(s.channelId(), sub, true); // nothing missed: held events go through the gap check
            return Future.succeededFuture();
        });
        return caught.map(v -> {
            done.add(entry.put("lastSeq", sub.lastSeq()));
            return (Void) null;
        }).recover(t -> {
            fail(failed, s, ParleyException.from(t));
            return Future.succeededFuture();
        });
    }

    /**
     * Writes the {@code approved} and {@code rejected} frames of messages up to the subscribe's since that
     * were decided while the channel's last seq was at or above it (the client may have been away).
     */
    private Future<Void> decisions(Subscribing s) {
        return chat.decisions(principal, s.channelId(), s.since(), config.ws().maxReplayPerFrame()).map(list -> {
            for (Message m : list) {
                if (!closed && subs.get(s.channelId()) == s.sub()) {
                    ws.writeTextMessage((Message.APPROVED.equals(m.status()) ? Views.approvedEvent(m) : Views.rejectedEvent(m)).encode());
                }
            }
            return (Void) null;
        });
    }

    private void fail(JsonArray failed, Subscribing s, ParleyException p) {
        hub.count(RecoveryMeters.Event.SUBSCRIBE_FAILED);
        failed.add(new JsonObject().put("id", s.channelId()).put("code", p.code().slug).put("message", p.getMessage()));
        if (subs.get(s.channelId()) == s.sub()) {
            drop(s.channelId());
        }
    }

    /**
     * Replays from Postgres in pages after {@code sub.lastSeq}, then flushes the held live events through
     * the gap check again (messages may have been committed after the replay read). A failure (the caller
     * is no longer a member) drops the subscription.
     */
    private Future<Void> catchUp(long channelId, ChannelOrder<String> sub) {
        return catchUp(channelId, sub, sub.lastSeq());
    }

    private Future<Void> catchUp(long channelId, ChannelOrder<String> sub, long startedAt) {
        long after = sub.lastSeq();
        int limit = config.ws().replayPageSize();
        // The sockets of a channel on this edge usually need the same page at the same moment (a gap or a
        // lost member reaches them all in one tick): they share one read. If the shared read fails (its
        // reader may have just left the channel), each reads for itself, with its own access check.
        return hub.sharedReplay(channelId, after, limit, () -> replay(channelId, after, limit))
                .recover(t -> replay(channelId, after, limit)).compose(messages -> {
            if (subs.get(channelId) != sub) {
                return Future.succeededFuture(); // unsubscribed meanwhile
            }
            return writeReplay(channelId, sub, messages, 0).compose(v -> {
                if (messages.size() >= config.ws().replayPageSize() && !closed) {
                    return catchUp(channelId, sub, startedAt);
                }
                flush(channelId, sub, sub.lastSeq() > startedAt);
                return Future.succeededFuture();
            });
        }).onFailure(t -> {
            sub.abandon();
            drop(channelId);
        });
    }

    /** A page of replay from the chat rules (with the caller's access check), each frame encoded once. */
    private Future<List<EdgeHub.Replayed>> replay(long channelId, long after, int limit) {
        return chat.replay(principal, channelId, after, limit).map(list -> list.stream().map(SocketSession::replayed).toList());
    }

    /** A rejected message replays as its place to everyone; a pending one whole to some, as its place to the others. */
    private static EdgeHub.Replayed replayed(Message m) {
        if (!m.held()) {
            return new EdgeHub.Replayed(m.seq(), Views.messageEvent(m).encode(), null, m.senderId());
        }
        String held = Views.heldEvent(m.channelId(), m.seq(), m.status()).encode();
        return Message.PENDING.equals(m.status()) ? new EdgeHub.Replayed(m.seq(), Views.messageEvent(m).encode(), held, m.senderId())
                : new EdgeHub.Replayed(m.seq(), held, null, m.senderId());
    }

    /**
     * Writes replayed messages, waiting for the write queue to drain whenever it is full, so a client that
     * does not read holds at most the queue's high-water mark of replay on this node, not whole pages.
     */
    private Future<Void> writeReplay(long channelId, ChannelOrder<String> sub, List<EdgeHub.Replayed> messages, int from) {
        for (int i = from; i < messages.size() && !closed; i++) {
            EdgeHub.Replayed m = messages.get(i);
            if (sub.replayed(m.seq())) {
                ws.writeTextMessage(m.held() == null || seesHeld(channelId, m.senderId()) ? m.frame() : m.held());
                hub.count(RecoveryMeters.Event.REPLAYED);
            }
            if (ws.writeQueueFull()) {
                int next = i + 1;
                return writable().compose(v -> writeReplay(channelId, sub, messages, next));
            }
        }
        return Future.succeededFuture();
    }

    /** Completes when the write queue has room again, or the socket closed. */
    private Future<Void> writable() {
        if (closed || !ws.writeQueueFull()) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        writableWaiters.add(p);
        return p.future();
    }

    private void onDrained() {
        List<Promise<Void>> waiting = List.copyOf(writableWaiters);
        writableWaiters.clear();
        waiting.forEach(Promise::tryComplete);
        resumeReading(PAUSED_WRITES);
    }

    /** Counts a frame until its answer is written; at the bound, reading pauses until one is answered. */
    private void awaiting(Future<?> answer) {
        if (answer.isComplete()) {
            return;
        }
        if (++awaitingAnswer >= config.ws().maxInflightFrames()) {
            pauseReading(PAUSED_INFLIGHT);
        }
        answer.onComplete(ar -> {
            if (--awaitingAnswer < config.ws().maxInflightFrames()) {
                resumeReading(PAUSED_INFLIGHT);
            }
        });
    }

    private void pauseReading(int reason) {
        if (pausedFor == 0 && !closed) {
            ws.pause();
        }
        pausedFor |= reason;
    }

    private void resumeReading(int reason) {
        if ((pausedFor & reason) == 0) {
            return;
        }
        pausedFor &= ~reason;
        if (pausedFor == 0 && !closed) {
            ws.resume();
        }
    }

    private void drop(long channelId) {
        moderated.remove(channelId);
        speaking.remove(channelId);
        if (subs.remove(channelId) != null) {
            hub.unsubscribe(channelId, this);
        }
    }

    /**
     * Delivers the events held during a catch-up, in seq order; a message that still leaves a gap starts
     * another catch-up. When the read found nothing while the first held message leaves a gap, nothing is
     * delivered yet: the read is repeated after a backoff.
     */
    private void flush(long channelId, ChannelOrder<String> sub, boolean progressed) {
        if (subs.get(channelId) != sub || closed) {
            return;
        }
        ChannelOrder.AfterRead<String> next = sub.readDone(progressed);
        if (next.resync()) {
            hub.count(RecoveryMeters.Event.GAP_CLOSE);
            close((short) 1013, "resync: reconnect and resume with since");
        } else if (next.retryInMillis() > 0) {
            // the read came before the missing commit was visible: never write over the gap, read again
            hub.count(RecoveryMeters.Event.CATCHUP_RETRY);
            hub.timer(next.retryInMillis(), () -> {
                if (subs.get(channelId) == sub && !closed) {
                    catchUp(channelId, sub);
                }
            });
        } else {
            for (ChannelOrder.Held<String> h : next.deliver()) {
                deliver(channelId, h.event(), h.seq(), h.userId(), h.frame());
            }
        }
    }

    /**
     * Checks Postgres for messages of this channel that were committed but never reached this node (their
     * node died between commit and publish). Called when the cluster loses or merges a member.
     */
    void resync(long channelId) {
        ChannelOrder<String> sub = subs.get(channelId);
        if (sub != null && !closed && sub.startCatchUp()) {
            hub.count(RecoveryMeters.Event.MEMBERSHIP_RESYNC);
            catchUp(channelId, sub);
        }
    }

    /**
     * A live event from the hub: serialized once per node by its publisher, and decoded once per edge, so
     * the same String goes to every local subscriber.
     */
    void deliver(long channelId, String event, long seq, long userId, String frame) {
        ChannelOrder<String> sub = subs.get(channelId);
        if (sub == null || closed) {
            return;
        }
        if ("removed".equals(event)) {
            if (userId == principal.userId()) {
                drop(channelId);
                writeLive(frame);
            }
            return;
        }
        if ("typing".equals(event) && userId == principal.userId()) {
            return;
        }
        if ("access".equals(event)) {
            if (userId == principal.userId()) {
                recheck(channelId);
            }
            return;
        }
        if ("read".equals(event)) {
            // a read marker moved on another connection of this user, in a public channel or room
            if (userId == principal.userId()) {
                writeLive(frame);
            }
            return;
        }
        if ("member".equals(event) && userId == principal.userId()) {
            // appointed, demoted or banned here: held messages come whole, or as their place, from now on
            // (a lounge moderator's standing does not come from the role: looked up again)
            JsonObject m = new JsonObject(frame);
            if (!Boolean.TRUE.equals(m.getBoolean("member"))) {
                speaking.remove(channelId);
            }
            String role = m.getString("role");
            if (principal.isAdmin()) {
                // an admin moderates everything
            } else if ("owner".equals(role) || "moderator".equals(role)) {
                moderated.add(channelId);
            } else {
                recheck(channelId);
            }
        }
        if ("receipt".equals(event)) {
            // a read marker moved in a direct or private channel: every member sees it
            writeLive(frame);
            return;
        }
        switch (sub.live(event, seq, userId, frame)) {
            case WRITE -> {
                writeLive(frame);
                if ("message".equals(event)) {
                    hub.countDelivery();
                }
            }
            case READ -> {
                hub.count(RecoveryMeters.Event.GAP);
                catchUp(channelId, sub);
            }
            case HOLD, DROP -> {
                // held until the catch-up ends, or already given
            }
        }
    }

    private void writeLive(String frame) {
        if (ws.writeQueueFull()) {
            // A client that cannot keep up reconnects and resumes with since; holding its backlog would not scale.
            if (!closed && !ws.isClosed()) {
                hub.count(RecoveryMeters.Event.SLOW_CLOSE);
            }
            ws.close((short) 1013, "too slow; reconnect and resume with since");
            return;
        }
        ws.writeTextMessage(frame);
    }

    /**
     * Answers to the client's own frames (ack, pong, error). They are never dropped, but a client that does
     * not read while it keeps sending would grow the node's memory: once the write queue is full, reading
     * from this socket pauses until it drains, so what is buffered stays bounded by the frames in flight.
     */
    private void answer(JsonObject frame) {
        if (closed) {
            return;
        }
        ws.writeTextMessage(frame.encode());
        if (ws.writeQueueFull()) {
            pauseReading(PAUSED_WRITES);
        }
    }

    private void error(Object ref, ErrorCode code, String message) {
        error(ref, ParleyException.of(code, message));
    }

    private void error(Object ref, ParleyException e) {
        JsonObject frame = new JsonObject().put("type", "error").put("code", e.code().slug).put("message", e.getMessage());
        if (e.retryAfterSeconds() > 0) {
            frame.put("retryAfter", e.retryAfterSeconds());
        }
        if (ref != null) {
            frame.put("ref", ref);
        }
        answer(frame);
    }
}
