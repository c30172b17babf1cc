package io.parley.http;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.cache.Cache;

import java.time.Duration;
import java.util.concurrent.ConcurrentMap;

/**
 * The send limit of a user (HTTP and WebSocket alike), held cluster-wide without waiting on the hot path.
 * A local token bucket of this edge instance decides at once; each admitted send then takes a token from
 * the user's bucket in the shared cache (one Redis round trip, not awaited). When that bucket is empty,
 * because the user also sends through other instances or nodes, the user is refused here until it
 * refills. So the cluster-wide rate holds from the next send on, and a send never waits for Redis. With
 * Redis down the shared bucket is in-process, and the local one still bounds each instance.
 */
public final class SendLimiter {

    private final RateLimiter<Long> local;
    private final Cache shared;
    private final int ratePerSecond;
    private final int burst;
    /** Users the shared bucket refused, until when (epoch millis). A wait is at most a second or so; entries go after a minute. */
    private final ConcurrentMap<Long, Long> refusedUntil = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(1)).<Long, Long>build().asMap();

    /** {@code shared} null: this instance's bucket only. */
    public SendLimiter(int ratePerSecond, int burst, Cache shared) {
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
            shared.take("send:" + userId, ratePerSecond, burst).onSuccess(wait -> {
                if (wait > 0) {
                    refusedUntil.put(userId, System.currentTimeMillis() + wait);
                }
            });
        }
        return 0;
    }
}
