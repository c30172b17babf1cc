package io.parley.edge;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

@DisplayName("RateLimiter: bounded, and no call scans the buckets")
class RateLimiterTest {

    @Test
    @DisplayName("200,000 keys that never refill: the map stays within its bound and 10,000 more calls take under 2 s")
    void manyKeysStayCheap() {
        // A rate of 0 never refills, which is what a burst of distinct users within one refill period looks
        // like: nothing could be swept, so a sweep past the bound would scan the whole map on every call.
        RateLimiter<Long> limiter = new RateLimiter<>(0, 1);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (long k = 0; k < 200_000; k++) {
                limiter.tryAcquire(k);
            }
        }, "filling 200,000 keys");
        long t0 = System.nanoTime();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (long k = 200_000; k < 210_000; k++) {
                limiter.tryAcquire(k);
            }
        }, "10,000 calls on a full map");
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(tookMillis).as("10,000 calls on a full map, in ms").isLessThan(2_000);
        awaitSize(limiter);
    }

    @Test
    @DisplayName("a bucket still limits: one token, then refused, then refilled")
    void stillLimits() throws InterruptedException {
        // 2 tokens a second: the refusal holds unless this thread stalls for half a second between two calls
        RateLimiter<String> limiter = new RateLimiter<>(2, 1);
        assertThat(limiter.tryAcquire("a")).isTrue();
        assertThat(limiter.tryAcquire("a")).isFalse();
        assertThat(limiter.tryAcquire("b")).as("another key has its own bucket").isTrue();
        // a fixed wait on purpose: the refill after 1/2 s is what is tested, and polling would spend tokens
        Thread.sleep(600);
        assertThat(limiter.tryAcquire("a")).as("refilled after 1/2 s").isTrue();
    }

    /** The map evicts in the background (amortized, never on the caller's whole map): give it a moment. */
    private static void awaitSize(RateLimiter<?> limiter) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (limiter.size() > RateLimiter.MAX_KEYS && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(limiter.size()).as("buckets held").isLessThanOrEqualTo(RateLimiter.MAX_KEYS);
    }
}
