package io.parley.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.cache.Cache;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.limits.Durations;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import io.vertx.core.shareddata.Shareable;

/**
 * Per-address admission to the bcrypt pool. The pool's queue is bounded by time and fair between
 * addresses ({@link PasswordHasher}: a newcomer takes the next free thread); this bounds what one address
 * may put into it at all. Each client address may have at most {@code concurrentPerAddress} password
 * requests in flight on this node, and at most {@code perMinute} per minute cluster-wide (counted in the
 * shared cache); past its share an address gets 429 rate_limited with Retry-After before its request
 * reaches the queue.
 *
 * <p>Refusals are expected under abuse: they are counted in {@code parley.auth.admission.refused}
 * (reason = rate, concurrency or overloaded) and logged as one WARN line per {@link #LOG_INTERVAL_NANOS}
 * with the counts, never once per request.
 */
public final class Admission {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The most addresses with work in flight at once; the queue bound keeps the real number far lower. */
    private static final int MAX_ADDRESSES = 10_000;

    /** The closed set of the {@code reason} tag. */
    public enum Reason {
        RATE("rate"), CONCURRENCY("concurrency"), OVERLOADED("overloaded");

        final String tag;

        Reason(String tag) {
            this.tag = tag;
        }
    }

    /** What the persistence instances of one node share: the in-flight counts and the log's state. */
    public static final class NodeState implements Shareable {
        private final ConcurrentHashMap<String, Integer> inflight = new ConcurrentHashMap<>();
        private final Map<Reason, AtomicLong> unlogged = new EnumMap<>(Reason.class);
        private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

        public NodeState() {
            for (Reason r : Reason.values()) {
                unlogged.put(r, new AtomicLong());
            }
        }

        /** Requests in flight for {@code address} on this node (for tests and the metrics). */
        public int inflight(String address) {
            return inflight.getOrDefault(address, 0);
        }
    }

    private final NodeState state;
    private final Cache cache;
    private final int perMinute;
    private final int concurrentPerAddress;
    private final Map<Reason, Counter> refused = new EnumMap<>(Reason.class);

    public Admission(NodeState state, Cache cache, int perMinute, int concurrentPerAddress, MeterRegistry registry) {
        this.state = state;
        this.cache = cache;
        this.perMinute = perMinute;
        this.concurrentPerAddress = concurrentPerAddress;
        for (Reason r : Reason.values()) {
            refused.put(r, Counter.builder("parley.auth.admission.refused").tag("reason", r.tag)
                    .description("Password requests (sign-in, sign-up, password change) refused before or at the bcrypt queue")
                    .register(registry));
        }
    }

    /**
     * Runs {@code work} (which hashes) when {@code address} is within its share, holding one of its
     * in-flight places until the work is done; else fails with 429 at once. A 503 overloaded from the
     * queue itself is counted here too.
     */
    public <T> Future<T> admit(String address, Supplier<Future<T>> work) {
        // the in-flight place is taken synchronously, so that concurrent requests cannot all pass the check
        if (!enter(address)) {
            return refuse(Reason.CONCURRENCY, 1, "Too many password requests at once from your address; wait for them to finish.");
        }
        Future<T> result;
        try {
            result = cache.add("bcrypt:" + address, 1, 60_000).compose(w -> w.count() > perMinute
                    ? refuse(Reason.RATE, w.retryAfterSeconds(), "Too many sign-in attempts from your address; try again in "
                    + Durations.human(w.retryAfterSeconds()) + ".")
                    : work.get());
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        return result.andThen(ar -> {
            leave(address);
            if (ar.failed() && ar.cause() instanceof ParleyException p && p.code() == ErrorCode.OVERLOADED) {
                note(Reason.OVERLOADED);
            }
        });
    }

    private boolean enter(String address) {
        if (state.inflight.size() >= MAX_ADDRESSES && !state.inflight.containsKey(address)) {
            return false;
        }
        boolean[] entered = {false};
        state.inflight.compute(address, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= concurrentPerAddress) {
                return n;
            }
            entered[0] = true;
            return now + 1;
        });
        return entered[0];
    }

    private void leave(String address) {
        // an address with nothing in flight leaves the map, so the map holds only work in flight
        state.inflight.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
    }

    private <T> Future<T> refuse(Reason reason, int retryAfterSeconds, String message) {
        note(reason);
        return Future.failedFuture(ParleyException.rateLimited(message, retryAfterSeconds));
    }

    private void note(Reason reason) {
        refused.get(reason).increment();
        state.unlogged.get(reason).incrementAndGet();
        long now = System.nanoTime();
        long last = state.lastLogNanos.get();
        if (now - last >= LOG_INTERVAL_NANOS && state.lastLogNanos.compareAndSet(last, now)) {
            long rate = state.unlogged.get(Reason.RATE).getAndSet(0);
            long concurrency = state.unlogged.get(Reason.CONCURRENCY).getAndSet(0);
            long overloaded = state.unlogged.get(Reason.OVERLOADED).getAndSet(0);
            LOG.warn("Refused {} password requests since the last report (rate: {}, concurrency: {}, overloaded: {}); "
                            + "see parley_auth_admission_refused_total", rate + concurrency + overloaded, rate, concurrency, overloaded);
        }
    }
}
