package io.parley.edge;

import io.parley.cache.ExpiringMaps;

import java.util.concurrent.ConcurrentMap;

/**
 * A token bucket per key (a user, or a user in a channel), for one edge instance: {@code ratePerSecond} refill, {@code burst}
 * capacity. A bucket is forgotten when it would be full again (it then holds nothing worth keeping), and at most
 * {@link #MAX_KEYS} are kept (beyond that the least used go, which can only make the limit more lenient): the map
 * lets go on its own, so no call ever scans it, however many keys come by.
 */
public final class RateLimiter<K> {

    static final int MAX_KEYS = 100_000;
    /** Caps a bucket's life, so that now plus it cannot overflow. */
    private static final double MAX_WAIT_NANOS = 365 * 86_400 * 1e9;

    /** Tokens as of {@code atNanos}; full again, and so worth nothing, at {@code fullAtNanos}. */
    private record Bucket(double tokens, long atNanos, long fullAtNanos) {
    }

    private final double ratePerNano;
    private final double burst;
    private final ConcurrentMap<K, Bucket> buckets;

    public RateLimiter(int ratePerSecond, int burst) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.buckets = ExpiringMaps.create(MAX_KEYS, Bucket::fullAtNanos);
    }

    public boolean tryAcquire(K key) {
        long now = System.nanoTime();
        boolean[] taken = {false};
        buckets.compute(key, (k, old) -> {
            double tokens = old == null ? burst : Math.min(burst, old.tokens + (now - old.atNanos) * ratePerNano);
            if (tokens >= 1) {
                tokens -= 1;
                taken[0] = true;
            }
            // a rate of 0 never refills: such a bucket lives until the bound pushes it out
            double untilFull = ratePerNano > 0 ? (burst - tokens) / ratePerNano : Double.MAX_VALUE;
            return new Bucket(tokens, now, now + (long) Math.min(untilFull, MAX_WAIT_NANOS));
        });
        return taken[0];
    }

    /** Buckets held now (for tests). */
    int size() {
        return buckets.size();
    }
}
