package io.parley.presence;

import io.vertx.core.Future;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Presence of a single node without Redis. Used from the presence verticle's event loop only. */
public final class LocalPresenceStore implements PresenceStore {

    private final Map<Long, Map<String, Long>> connections = new HashMap<>();
    private final Map<Long, Long> lastSeen = new HashMap<>();
    private final Map<Long, Long> unflushed = new HashMap<>();
    private final Map<Long, Boolean> announced = new HashMap<>();

    private int live(long userId) {
        Map<String, Long> conns = connections.get(userId);
        if (conns == null) {
            return 0;
        }
        long now = System.currentTimeMillis();
        conns.values().removeIf(expiry -> expiry <= now);
        if (conns.isEmpty()) {
            connections.remove(userId);
            return 0;
        }
        return conns.size();
    }

    private void seen(long userId) {
        long now = System.currentTimeMillis();
        lastSeen.put(userId, now);
        unflushed.put(userId, now);
    }

    @Override
    public Future<Integer> connect(long userId, String connId, long ttlMillis) {
        connections.computeIfAbsent(userId, k -> new HashMap<>()).put(connId, System.currentTimeMillis() + ttlMillis);
        seen(userId);
        return Future.succeededFuture(live(userId));
    }

    @Override
    public Future<Integer> disconnect(long userId, String connId) {
        Map<String, Long> conns = connections.get(userId);
        if (conns != null) {
            conns.remove(connId);
        }
        seen(userId);
        return Future.succeededFuture(live(userId));
    }

    @Override
    public Future<Void> heartbeat(Map<Long, List<String>> conns, long ttlMillis) {
        long expiry = System.currentTimeMillis() + ttlMillis;
        conns.forEach((userId, ids) -> {
            Map<String, Long> map = connections.computeIfAbsent(userId, k -> new HashMap<>());
            ids.forEach(id -> map.put(id, expiry));
            seen(userId);
        });
        return Future.succeededFuture();
    }

    @Override
    public Future<Map<Long, Status>> status(List<Long> userIds) {
        Map<Long, Status> out = new HashMap<>();
        for (long id : userIds) {
            out.put(id, new Status(live(id) > 0, lastSeen.getOrDefault(id, 0L)));
        }
        return Future.succeededFuture(out);
    }

    @Override
    public Future<Boolean> announce(long userId, boolean online) {
        Boolean before = announced.put(userId, online);
        return Future.succeededFuture(before == null ? online : before != online);
    }

    @Override
    public Future<Map<Long, Long>> drainLastSeen() {
        Map<Long, Long> out = new HashMap<>(unflushed);
        unflushed.clear();
        return Future.succeededFuture(out);
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
