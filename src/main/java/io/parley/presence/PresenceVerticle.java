package io.parley.presence;

import io.parley.bus.Addresses;
import io.parley.bus.Local;
import io.parley.bus.OpsApi;
import io.parley.bus.PresenceApi;
import io.parley.config.ParleyConfig;
import io.parley.domain.PresenceStatus;
import io.parley.domain.Principal;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.parley.redis.NodeRedis;

/**
 * Presence across the cluster. The hot state is in a {@link PresenceStore} (Redis): each connection of
 * this node is added on connect, refreshed every heartbeat in one batch, removed on close; a dead node's
 * connections simply expire. Nothing is announced at once: a change observed here schedules a settle for
 * that user (after the batch interval when coming online, after the grace period when going offline);
 * the settle reads the true state and announces it only if it differs from the last announced state, so a
 * flapping user or a burst of reconnections announces nothing. Announced changes leave in one message per
 * batch interval, with the private and direct channels they concern; Postgres is written in batches.
 */
public class PresenceVerticle extends VerticleBase implements PresenceApi {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);

    private ParleyConfig.Presence cfg;
    private PresenceStore store;
    private final Map<String, Long> connections = new HashMap<>();
    private final Map<Long, Long> settling = new HashMap<>();
    /** Changes announced here and not yet sent: user → (online, last seen millis). */
    private final Map<Long, PresenceStore.Status> announced = new LinkedHashMap<>();
    private final List<Long> timers = new ArrayList<>();
    private JobScheduler jobs;
    private OpsApi ops;
    private Local.Served served;
    private final NodeRedis redis;

    /** {@code redis}: the node's client, or null when Redis is not configured (presence stays in-process). */
    public PresenceVerticle(NodeRedis redis) {
        this.redis = redis;
    }

    @Override
    public Future<?> start() {
        ParleyConfig config = ParleyConfig.from(config());
        cfg = config.presence();
        store = redis == null ? new LocalPresenceStore() : new RedisPresenceStore(redis);
        ops = OpsApi.client(vertx.eventBus(), 30_000);
        MessageConsumer<JsonObject> up = vertx.eventBus().localConsumer(Addresses.SOCKET_CONNECTED, this::connected);
        MessageConsumer<JsonObject> down = vertx.eventBus().localConsumer(Addresses.SOCKET_DISCONNECTED, this::disconnected);
        served = PresenceApi.serve(vertx.eventBus(), this);
        timers.add(vertx.setPeriodic(cfg.heartbeatSeconds() * 1000L, id -> heartbeat()));
        timers.add(vertx.setPeriodic(cfg.batchMillis(), id -> publishBatch()));
        jobs = new JobScheduler(vertx, cfg, store, ops, this::announceAll);
        jobs.start();
        return Future.all(up.completion(), down.completion(), served.ready());
    }

    private void connected(Message<JsonObject> msg) {
        long userId = msg.body().getLong("userId");
        String connId = msg.body().getString("connId");
        connections.put(connId, userId);
        store.connect(userId, connId, cfg.connectionTtlSeconds() * 1000L)
                .onSuccess(n -> settle(userId, cfg.batchMillis()))
                .onFailure(t -> LOG.warn("Presence store unavailable on connect: {}", t.toString()));
    }

    private void disconnected(Message<JsonObject> msg) {
        long userId = msg.body().getLong("userId");
        String connId = msg.body().getString("connId");
        connections.remove(connId);
        store.disconnect(userId, connId)
                .onSuccess(n -> {
                    if (n == 0) {
                        settle(userId, cfg.offlineGraceSeconds() * 1000L);
                    }
                })
                .onFailure(t -> LOG.warn("Presence store unavailable on disconnect: {}", t.toString()));
    }

    /** (Re)schedules the settle of one user; a later observation replaces an earlier one. */
    private void settle(long userId, long delayMillis) {
        Long previous = settling.remove(userId);
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
        settling.put(userId, vertx.setTimer(Math.max(1, delayMillis), id -> {
            settling.remove(userId);
            store.status(List.of(userId)).compose(s -> {
                PresenceStore.Status status = s.get(userId);
                long unseenFor = System.currentTimeMillis() - status.lastSeenMillis();
                long grace = cfg.offlineGraceSeconds() * 1000L;
                if (!status.online() && unseenFor < grace) {
                    // offline for less than the grace (a settle from a connect can land between a close and
                    // the next connect): decide only when the grace has passed
                    settle(userId, grace - unseenFor);
                    return Future.succeededFuture();
                }
                return store.announce(userId, status.online()).map(changed -> {
                    if (changed) {
                        announced.put(userId, status);
                    }
                    return null;
                });
            });
        }));
    }

    /** Used by the sweep job: users whose connections expired (their node died) are announced offline. */
    private void announceAll(Map<Long, PresenceStore.Status> changes) {
        announced.putAll(changes);
    }

    private void heartbeat() {
        Map<Long, List<String>> byUser = new HashMap<>();
        connections.forEach((conn, user) -> byUser.computeIfAbsent(user, k -> new ArrayList<>()).add(conn));
        store.heartbeat(byUser, cfg.connectionTtlSeconds() * 1000L)
                .onFailure(t -> LOG.warn("Presence heartbeat failed: {}", t.toString()));
    }

    /** One cluster message per interval with every change announced here, routed by channel. */
    private void publishBatch() {
        if (announced.isEmpty()) {
            return;
        }
        Map<Long, PresenceStore.Status> batch = new LinkedHashMap<>(announced);
        announced.clear();
        List<Long> ids = new ArrayList<>(batch.keySet());
        long now = System.currentTimeMillis();
        ops.presenceChannels(ids)
                .onSuccess(channels -> {
                    JsonArray changes = new JsonArray();
                    // online: seen now; offline: when the last connection closed or was last refreshed
                    batch.forEach((user, s) -> changes.add(new JsonObject().put("userId", user).put("online", s.online())
                            .put("lastSeenAt", Instant.ofEpochMilli(s.online() || s.lastSeenMillis() == 0 ? now : s.lastSeenMillis()).toString())
                            .put("channels", new JsonArray(channels.getOrDefault(user, List.of())))));
                    vertx.eventBus().publish(Addresses.PRESENCE_CHANGED, new JsonObject().put("changes", changes).toBuffer());
                })
                .onFailure(t -> LOG.warn("Presence batch not routed: {}", t.toString()));
        ops.updatePresence(ids, batch.values().stream().map(PresenceStore.Status::online).toList())
                .onFailure(t -> LOG.warn("Presence batch not written: {}", t.toString()));
    }

    /**
     * GET /presence: the hot state, or Postgres' view when the store is unavailable, for those of the
     * asked users who share a channel with the caller; the others are left out, so presence cannot be
     * used to watch strangers. One query for the whole list.
     */
    @Override
    public Future<List<PresenceStatus>> query(Principal p, List<Long> userIds) {
        return ops.presenceVisible(p.userId(), userIds).compose(ids -> ids.isEmpty() ? Future.succeededFuture(List.<PresenceStatus>of())
                        : store.status(ids).map(statuses -> ids.stream().map(id -> {
                            PresenceStore.Status s = statuses.get(id);
                            return new PresenceStatus(id, s.online(), s.lastSeenMillis() == 0 ? null : Instant.ofEpochMilli(s.lastSeenMillis()));
                        }).toList()).recover(t -> ops.presenceFallback(ids)))
                .recover(t -> Future.failedFuture(ParleyException.of(ErrorCode.UNAVAILABLE, "Presence is unavailable right now.")));
    }

    @Override
    public Future<?> stop() {
        timers.forEach(vertx::cancelTimer);
        settling.values().forEach(vertx::cancelTimer);
        jobs.stop();
        return served.stop(2_000).eventually(() -> store.close());
    }
}
