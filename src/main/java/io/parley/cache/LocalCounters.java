package io.parley.cache;


import java.util.concurrent.ConcurrentMap;
import java.util.HashMap;
import java.util.Map;

/**
 * In-process window counters and token buckets, each entry expiring on its own, at most {@code maxEntries}
 * of them (beyond that the least used are dropped, which can only make a limit more lenient, never lock
 * anyone out). The counters of a node without Redis, and the fallback of {@link RedisCache} while Redis
 * is down. Thread-safe: every update is one atomic compute.
 */
public final class LocalCounters {

    /** A counter (count) or a bucket (tokens in {@code value}, refilled as of {@code atNanos}); expires at {@code expiresAtNanos}. */
    private record Entry(double value, long atNanos, long expiresAtNanos) {
    }

    private final ConcurrentMap<String, Entry> map;

    public LocalCounters(int maxEntries) {
        this.map = ExpiringMaps.create(maxEntries, Entry::expiresAtNanos);
    }

    /** Adds {@code delta} to the counter of a window that starts at the first add and lasts {@code windowMillis}. */
    public Cache.Window add(String key, long delta, long windowMillis) {
        long now = System.nanoTime();
        Entry e = map.compute(key, (k, old) -> old == null || old.expiresAtNanos - now <= 0
                ? new Entry(Math.max(0, delta), now, now + windowMillis * 1_000_000)
                : new Entry(Math.max(0, old.value + delta), old.atNanos, old.expiresAtNanos));
        return new Cache.Window((long) e.value, Math.max(1, (e.expiresAtNanos - now) / 1_000_000));
    }

    /** Takes a token from a bucket of {@code burst} refilled at {@code ratePerSecond}: 0, or the milliseconds until one is there. */
    /** {@link Cache#takeAll}, in process. */
    public Map<String, Long> takeAll(Map<String, Integer> counts, int ratePerSecond, int burst) {
        Map<String, Long> waits = new HashMap<>();
        counts.forEach((key, n) -> waits.put(key, take(key, n, ratePerSecond, burst)));
        return waits;
    }

    private long take(String key, int n, int ratePerSecond, int burst) {
        long now = System.nanoTime();
        double perNano = ratePerSecond / 1e9;
        long[] wait = {0};
        map.compute(key, (k, old) -> {
            double tokens = (old == null ? burst : Math.min(burst, old.value + (now - old.atNanos) * perNano)) - n;
            if (tokens < 0) {
                wait[0] = Math.max(1, (long) Math.ceil(-tokens / perNano / 1_000_000));
            }
            // a bucket that would be full again holds nothing worth keeping
            return new Entry(tokens, now, now + (long) ((burst - tokens) / perNano) + 1_000_000_000L);
        });
        return wait[0];
    }

    public void remove(String key) {
        map.remove(key);
    }

    public void clear() {
        map.clear();
    }
}
