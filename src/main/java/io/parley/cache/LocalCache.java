package io.parley.cache;

import io.vertx.core.Future;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process cache of a single node with no Redis configured. Entries expire lazily and by a sweep
 * when the map grows; it is shared by the verticle instances of this node.
 */
public final class LocalCache implements Cache {

    private static final int SWEEP_AT = 100_000;

    private record Entry(String value, long expiresAtMillis) {
    }

    private final ConcurrentHashMap<String, Entry> map = new ConcurrentHashMap<>();

    @Override
    public Future<String> get(String key) {
        Entry e = map.get(key);
        if (e == null || e.expiresAtMillis < System.currentTimeMillis()) {
            return Future.succeededFuture();
        }
        return Future.succeededFuture(e.value);
    }

    @Override
    public Future<Void> set(String key, String value, int ttlSeconds) {
        if (map.size() > SWEEP_AT) {
            long now = System.currentTimeMillis();
            map.values().removeIf(e -> e.expiresAtMillis < now);
        }
        map.put(key, new Entry(value, System.currentTimeMillis() + ttlSeconds * 1000L));
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> delete(String key) {
        map.remove(key);
        return Future.succeededFuture();
    }

    @Override
    public Future<Long> increment(String key, int ttlSeconds) {
        long now = System.currentTimeMillis();
        Entry e = map.compute(key, (k, old) -> old == null || old.expiresAtMillis < now
                ? new Entry("1", now + ttlSeconds * 1000L)
                : new Entry(String.valueOf(Long.parseLong(old.value) + 1), old.expiresAtMillis));
        return Future.succeededFuture(Long.parseLong(e.value));
    }

    @Override
    public String status() {
        return "local";
    }

    @Override
    public Future<Void> close() {
        map.clear();
        return Future.succeededFuture();
    }
}
