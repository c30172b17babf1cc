package io.parley.edge;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.cache.Cache;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;

/**
 * The send limit of a user (HTTP and WebSocket alike), held cluster-wide without a round trip per send.
 * A local token bucket of this edge instance decides at once. The sends it admits are counted per user
 * and, every {@link #FLUSH_MILLIS}, taken from the users' shared buckets in one call to the shared cache
 * (one Redis round trip per interval and edge instance, whatever the number of sends). A user whose
 * shared bucket is in debt, because they also send through other instances or nodes, is refused here
 * until it refills. So the cluster-wide rate holds within one interval's worth of sends, and a send
 * never waits for Redis. With Redis down the shared buckets are in-process, and the local one still
 * bounds each instance. Used from its edge's event loop only.
 */
public final class SendLimiter {

    /** How often admitted sends are reported to the shared buckets. */
    static final long FLUSH_MILLIS = 50;
    /** Users reported in one call at most; more wait for the next flush. */
    private static final int MAX_USERS_PER_FLUSH = 500;
    /** The shared bucket of a user is KEY + userId. */
    private static final String KEY = "send:";

    private final Vertx vertx;
    private final RateLimiter<Long> local;
    private final Cache shared;
    private final int ratePerSecond;
    private final int burst;
    /** Sends admitted since the last flush, by user: bounded by what this instance admits in one interval. */
    private final Map<Long, Integer> unreported = new HashMap<>();
    private boolean flushScheduled;
    /** Users the shared bucket refused, until when (epoch millis). A wait is at most a few seconds; entries go after a minute. */
    private final ConcurrentMap<Long, Long> refusedUntil = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(1)).<Long, Long>build().asMap();

    /** {@code shared} null: this instance's bucket only. */
    public SendLimiter(Vertx vertx, int ratePerSecond, int burst, Cache shared) {
        this.vertx = vertx;
        this.local = new RateLimiter<>(ratePerSecond, burst);
        this.shared = shared;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** 0 when {@code userId} may send now; else the whole seconds to wait (Retry-After). */
    public int check(long userId) {
        long now = System.currentTimeMillis();
        Long until = refusedUntil.get(userId);
        if (until != null) {
            if (until > now) {
                return (int) Math.max(1, (until - now + 999) / 1000);
            }
            refusedUntil.remove(userId, until);
        }
        if (!local.tryAcquire(userId)) {
            return 1;
        }
        if (shared != null) {
            unreported.merge(userId, 1, Integer::sum);
            if (!flushScheduled) {
                flushScheduled = true;
                vertx.setTimer(FLUSH_MILLIS, id -> flush());
            }
        }
        return 0;
    }

    private void flush() {
        flushScheduled = false;
        Map<String, Integer> counts = new HashMap<>();
        var it = unreported.entrySet().iterator();
        while (it.hasNext() && counts.size() < MAX_USERS_PER_FLUSH) {
            var e = it.next();
            counts.put(KEY + e.getKey(), e.getValue());
            it.remove();
        }
        if (!unreported.isEmpty()) {
            flushScheduled = true;
            vertx.setTimer(FLUSH_MILLIS, id -> flush());
        }
        shared.takeAll(counts, ratePerSecond, burst).onSuccess(waits -> {
            long now = System.currentTimeMillis();
            waits.forEach((key, wait) -> {
                if (wait > 0) {
                    refusedUntil.put(Long.parseLong(key.substring(KEY.length())), now + wait);
                }
            });
        });
    }
}
