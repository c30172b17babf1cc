package io.parley.http;

import java.util.HashMap;
import java.util.Map;

/**
 * A token bucket per key (a user, or a user in a channel), for one edge instance: {@code ratePerSecond} refill, {@code burst}
 * capacity. Used from one event loop only, so it needs no locking.
 */
public final class RateLimiter<K> {

    private static final int MAX_KEYS = 100_000;

    private final double ratePerMilli;
    private final double burst;
    private final Map<K, double[]> buckets = new HashMap<>();

    public RateLimiter(int ratePerSecond, int burst) {
        this.ratePerMilli = ratePerSecond / 1000.0;
        this.burst = burst;
    }

    public boolean tryAcquire(K key) {
        long now = System.currentTimeMillis();
        if (buckets.size() > MAX_KEYS) {
            // Forget the buckets that have refilled: they hold no state worth keeping.
            buckets.values().removeIf(b -> b[0] + (now - b[1]) * ratePerMilli >= burst);
        }
        double[] b = buckets.computeIfAbsent(key, k -> new double[]{burst, now});
        b[0] = Math.min(burst, b[0] + (now - b[1]) * ratePerMilli);
        b[1] = now;
        if (b[0] < 1) {
            return false;
        }
        b[0] -= 1;
        return true;
    }
}
