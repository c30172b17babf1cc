package io.parley.cache;

import io.vertx.core.Future;

import java.util.concurrent.ConcurrentMap;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The in-process cache of a single node with no Redis configured. Entries expire on their own and there are
 * at most {@link #MAX_ENTRIES} of them (the least used go first); it is shared by the verticle instances of
 * this node.
 */
public final class LocalCache implements Cache {

    private static final int MAX_ENTRIES = 100_000;

    private record Entry(String value, long expiresAtNanos) {
    }

    private final ConcurrentMap<String, Entry> map = ExpiringMaps.create(MAX_ENTRIES, Entry::expiresAtNanos);
    private final LocalCounters counters = new LocalCounters(MAX_ENTRIES);

    @Override
    public Future<String> get(String key) {
        Entry e = map.get(key);
        return Future.succeededFuture(e == null || e.expiresAtNanos - System.nanoTime() <= 0 ? null : e.value);
    }

    @Override
    public Future<Void> set(String key, String value, int ttlSeconds) {
        map.put(key, new Entry(value, System.nanoTime() + ttlSeconds * 1_000_000_000L));
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> delete(String key) {
        map.remove(key);
        counters.remove(key);
        return Future.succeededFuture();
    }

    @Override
    public Future<Window> add(String key, long delta, long windowMillis) {
        return Future.succeededFuture(counters.add(key, delta, windowMillis));
    }

    @Override
    public Future<Map<String, Long>> takeAll(Map<String, Integer> counts, int ratePerSecond, int burst) {
        return Future.succeededFuture(counters.takeAll(counts, ratePerSecond, burst));
    }

    /**
     * Without Redis there is one node, and its own memory (Revocations) is the whole record: nothing to
     * share, nothing to read back.
     */
    @Override
    public Future<Void> recordAdd(String key, Collection<String> members, long retainMillis) {
        return Future.succeededFuture();
    }

    @Override
    public Future<Records> recordSince(String key, long sinceMillis, int max) {
        return Future.succeededFuture(new Records(List.of(), System.currentTimeMillis()));
    }

    @Override
    public String status() {
        return "local";
    }

    @Override
    public Future<Void> close() {
        map.clear();
        counters.clear();
        return Future.succeededFuture();
    }

    /** The in-process cache of this node, one for all its verticles (the edges' send buckets live there too without Redis). */
    public static Cache shared(Vertx vertx) {
        LocalMap<String, Holder> map = vertx.sharedData().getLocalMap("parley.node.cache");
        return map.computeIfAbsent("cache", k -> new Holder(new LocalCache())).cache();
    }

    /** Lets the in-process cache be shared by the verticles of one node. */
    private record Holder(LocalCache cache) implements Shareable {
    }
}
