package io.parley.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * bcrypt on a named worker pool of its own, so a login storm queues there and never holds an event
 * loop or the shared worker pool. The queue is bounded by time: when the work already waiting would
 * take longer than {@code maxWaitMs} to get through, a new hash is refused at once with
 * {@link ErrorCode#OVERLOADED} (503 and Retry-After) instead of joining a queue whose tail would time
 * out anyway. The time of one hash is measured as it runs (a moving average), so the bound holds
 * whatever the cost factor and the machine.
 */
public final class PasswordHasher {

    /** Verified against when the user does not exist, so that a wrong handle takes as long as a wrong password. */
    private volatile String dummyHash;
    /** The most bcrypt uses of a password. */
    public static final int MAX_BYTES = 72;
    private final WorkerExecutor workers;
    private final int cost;
    private final int threads;
    private final long maxWaitNanos;
    /** Hashes queued or running. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Moving average of one hash's duration, in nanoseconds. */
    private volatile long averageNanos;
    private final AtomicInteger refused = new AtomicInteger();

    public PasswordHasher(Vertx vertx, int cost, int threads, int maxWaitMs) {
        this.cost = cost;
        this.threads = threads;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.workers = vertx.createSharedWorkerExecutor("parley-bcrypt", threads, 30, TimeUnit.SECONDS);
        // a first guess of one hash (about 60 ns per round), until the dummy hash below measures one
        this.averageNanos = (1L << cost) * 60;
        // made on the pool, not on the event loop that deploys this (a quarter of a second at cost 12)
        workers.executeBlocking(this::dummy, false);
    }

    /** The hash a sign-in with an unknown handle is verified against; made once, and timed. */
    private String dummy() {
        String d = dummyHash;
        if (d == null) {
            synchronized (this) {
                d = dummyHash;
                if (d == null) {
                    long t0 = System.nanoTime();
                    d = BCrypt.withDefaults().hashToString(cost, "parley-dummy-password".toCharArray());
                    averageNanos = System.nanoTime() - t0;
                    dummyHash = d;
                }
            }
        }
        return d;
    }

    public Future<String> hash(String password) {
        return run(() -> BCrypt.withDefaults().hashToString(cost, password.toCharArray()));
    }

    /** How many hashes were refused because the queue was full (for the metrics). */
    public int refused() {
        return refused.get();
    }

    /** Hashes queued or running now. */
    public int pending() {
        return pending.get();
    }

    private <T> Future<T> run(Callable<T> work) {
        int ahead = pending.getAndIncrement();
        // the work ahead of this one, spread over the threads, is what it would wait
        if (ahead >= threads && (ahead - threads + 1) * averageNanos / threads > maxWaitNanos) {
            pending.decrementAndGet();
            refused.incrementAndGet();
            return Future.failedFuture(ParleyException.of(ErrorCode.OVERLOADED,
                    "The server is busy signing people in; try again in a few seconds."));
        }
        return workers.<T>executeBlocking(() -> {
            long t0 = System.nanoTime();
            try {
                return work.call();
            } finally {
                long took = System.nanoTime() - t0;
                averageNanos = (averageNanos * 7 + took) / 8;
            }
        }, false).andThen(ar -> pending.decrementAndGet());
    }

    /** Verifies against {@code hash}, or against a dummy hash when {@code hash} is null (and then answers false). */
    public Future<Boolean> verify(String password, String hash) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        // bcrypt reads at most 72 bytes and the library refuses more; no stored password is longer, so a
        // longer one is simply wrong (verified against the dummy hash so it costs the same time).
        boolean possible = hash != null && bytes.length <= MAX_BYTES;
        byte[] candidate = possible ? bytes : "parley-dummy-password".getBytes(StandardCharsets.UTF_8);
        return run(() -> BCrypt.verifyer().verify(candidate, (possible ? hash : dummy()).getBytes(StandardCharsets.UTF_8)).verified
                && possible);
    }

    public Future<Void> close() {
        return workers.close();
    }
}
