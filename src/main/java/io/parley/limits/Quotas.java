package io.parley.limits;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.cache.Cache;
import io.parley.error.ParleyException;
import io.vertx.core.Future;

import java.util.EnumMap;
import java.util.Map;

/**
 * Quotas: how many of something a client address or a user may do per window, counted in the shared cache
 * (Redis, so cluster-wide; in-process per node while it is down). The N+1th in a window is refused with
 * 429 rate_limited and a Retry-After of the time left in the window; a refused request does not use up
 * any of the quota.
 */
public final class Quotas {

    public static final long HOUR_MILLIS = 3_600_000L;
    public static final long MINUTE_MILLIS = 60_000L;

    /** Every quota, the closed set of the {@code limit} tag of {@code parley.limits.refused}. */
    public enum Quota {
        SIGNUP("signup", "sign-ups from this address"),
        GUEST("guest", "guest accounts from this address"),
        CHANNEL("channel", "new channels"),
        INVITATION("invitation", "invitations"),
        DIRECT("direct", "new direct conversations"),
        BAN("ban", "bans of users who are not members"),
        SEARCH("search", "searches"),
        SEARCH_ADDRESS("search_address", "searches from your address");

        final String tag;
        final String what;

        Quota(String tag, String what) {
            this.tag = tag;
            this.what = what;
        }
    }

    private final Cache cache;
    private final Map<Quota, Counter> refused = new EnumMap<>(Quota.class);

    public Quotas(Cache cache, MeterRegistry registry) {
        this.cache = cache;
        for (Quota q : Quota.values()) {
            refused.put(q, Counter.builder("parley.limits.refused").tag("limit", q.tag)
                    .description("Requests refused with 429 because a quota of the address or user was used up").register(registry));
        }
    }

    /** Takes {@code n} of {@code quota} for {@code subject} (an address or a user id), or fails with 429. */
    public Future<Void> take(Quota quota, String subject, long n, int limit, long windowMillis) {
        if (n <= 0) {
            return Future.succeededFuture();
        }
        String key = "quota:" + quota.tag + ":" + subject;
        return cache.add(key, n, windowMillis).compose(w -> {
            if (w.count() <= limit) {
                return Future.succeededFuture();
            }
            refused.get(quota).increment();
            // give back what this refused request added, so that only what was done counts
            return cache.add(key, -n, windowMillis).transform(ar -> Future.failedFuture(ParleyException.rateLimited(
                    "Too many " + quota.what + ": at most " + limit + " per " + window(windowMillis) + "; try again in "
                            + Durations.human(w.retryAfterSeconds()) + ".", w.retryAfterSeconds())));
        });
    }

    /** Gives back {@code n} of a quota taken for work that then failed (nothing was created). */
    public void giveBack(Quota quota, String subject, long n, long windowMillis) {
        cache.add("quota:" + quota.tag + ":" + subject, -n, windowMillis);
    }

    private static String window(long millis) {
        return millis == HOUR_MILLIS ? "hour" : millis == MINUTE_MILLIS ? "minute" : Durations.human((int) (millis / 1000));
    }
}
