package io.parley.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * bcrypt on a named worker pool of its own, so a login storm queues there and never holds an event
 * loop or the shared worker pool.
 *
 * <p>The queue is fair between client addresses. Each address has a lane of its own; when a thread is
 * free, the next hash is taken from the lane with the fewest hashes running (first come first among
 * equals), so a request from an address with nothing running goes to the next free thread whatever one
 * other address has queued. One address can use every thread while nobody else waits, never keep them
 * from the next address that asks.
 *
 * <p>The queue is bounded by time: when a new hash would wait longer than {@code maxWaitMs}, it is refused
 * at once with {@link ErrorCode#OVERLOADED} (503 and Retry-After) instead of joining a queue whose tail
 * would time out anyway. Its wait is what is ahead of it in the fair order (the hashes running, its own
 * lane's, and in every other lane those that come first by the rule above), spread over the threads; so a
 * flood fills its own lane up to the bound, and the bound still lets others in. The time of one hash is
 * measured as it runs (a moving average), so the bound holds whatever the cost factor and the machine.
 */
public final class PasswordHasher {

    /** Verified against when the user does not exist, so that a wrong handle takes as long as a wrong password. */
    private volatile String dummyHash;
    /** The most bcrypt uses of a password. */
    public static final int MAX_BYTES = 72;
    private final Vertx vertx;
    private final WorkerExecutor workers;
    private final int cost;
    private final int threads;
    private final long maxWaitNanos;
    /** Moving average of one hash's duration, in nanoseconds. */
    private volatile long averageNanos;
    private final AtomicInteger refused = new AtomicInteger();

    // the fair queue; guarded by `lock`
    private final Object lock = new Object();
    /** Addresses with hashes waiting or running. */
    private final Map<String, Lane> lanes = new HashMap<>();
    /** Lanes with hashes waiting, by how many they have running (0 … threads), each in the order they got there. */
    private final List<LinkedHashSet<Lane>> ready = new ArrayList<>();
    private int running;
    private int waiting;

    /** One address's hashes: those waiting, in order, and how many run now. */
    private static final class Lane {
        final String address;
        final ArrayDeque<Task<?>> waiting = new ArrayDeque<>();
        int running;

        Lane(String address) {
            this.address = address;
        }
    }

    /** A hash to run, and where its caller waits for it (answered on the caller's context). */
    private record Task<T>(Lane lane, Callable<T> work, Context context, Promise<T> promise) {
    }

    public PasswordHasher(Vertx vertx, int cost, int threads, int maxWaitMs) {
        this.vertx = vertx;
        this.cost = cost;
        this.threads = threads;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.workers = vertx.createSharedWorkerExecutor("parley-bcrypt", threads, 30, TimeUnit.SECONDS);
        for (int i = 0; i <= threads; i++) {
            ready.add(new LinkedHashSet<>());
        }
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

    /** Hashes {@code password} in the lane of {@code address} (the client's address). */
    public Future<String> hash(String address, String password) {
        return run(address, () -> BCrypt.withDefaults().hashToString(cost, password.toCharArray()));
    }

    /** How many hashes were refused because the queue was full (for the metrics). */
    public int refused() {
        return refused.get();
    }

    /** Hashes queued or running now. */
    public int pending() {
        synchronized (lock) {
            return running + waiting;
        }
    }

    /**
     * Verifies against {@code hash}, or against a dummy hash when {@code hash} is null (and then answers
     * false), in the lane of {@code address}.
     */
    public Future<Boolean> verify(String address, String password, String hash) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        // bcrypt reads at most 72 bytes and the library refuses more; no stored password is longer, so a
        // longer one is simply wrong (verified against the dummy hash so it costs the same time).
        boolean possible = hash != null && bytes.length <= MAX_BYTES;
        byte[] candidate = possible ? bytes : "parley-dummy-password".getBytes(StandardCharsets.UTF_8);
        return run(address, () -> BCrypt.verifyer().verify(candidate, (possible ? hash : dummy()).getBytes(StandardCharsets.UTF_8)).verified
                && possible);
    }

    public Future<Void> close() {
        return workers.close();
    }

    private <T> Future<T> run(String address, Callable<T> work) {
        Promise<T> promise = Promise.promise();
        List<Task<?>> start;
        synchronized (lock) {
            Lane lane = lanes.computeIfAbsent(address, Lane::new);
            if (expectedWaitNanos(lane) > maxWaitNanos) {
                if (lane.running == 0 && lane.waiting.isEmpty()) {
                    lanes.remove(address);
                }
                refused.incrementAndGet();
                return Future.failedFuture(ParleyException.of(ErrorCode.OVERLOADED,
                        "The server is busy signing people in; try again in a few seconds."));
            }
            lane.waiting.add(new Task<>(lane, work, vertx.getOrCreateContext(), promise));
            waiting++;
            if (lane.waiting.size() == 1) {
                ready.get(lane.running).add(lane);
            }
            start = dispatch();
        }
        start.forEach(this::start);
        return promise.future();
    }

    /**
     * How long a hash added to {@code lane} now would wait: the hashes that start before it (its own lane's
     * waiting ones, and of every other lane those whose running count when their turn comes is not above
     * this one's), plus the ones running, beyond the free threads, each taking a thread for one average
     * hash. Counting the other lanes' ties as ahead keeps it an upper bound of the fair order.
     */
    private long expectedWaitNanos(Lane lane) {
        int level = lane.running + lane.waiting.size();
        long ahead = lane.waiting.size();
        for (Lane other : lanes.values()) {
            if (other != lane && !other.waiting.isEmpty()) {
                ahead += Math.min(other.waiting.size(), Math.max(0, level - other.running + 1));
            }
        }
        long completions = running + ahead + 1 - threads;
        return completions <= 0 ? 0 : completions * averageNanos / threads;
    }

    /** Takes the hashes that may start now (a free thread each), fairest first; called holding the lock. */
    private List<Task<?>> dispatch() {
        List<Task<?>> start = new ArrayList<>(0);
        while (running < threads && waiting > 0) {
            LinkedHashSet<Lane> fewest = null;
            for (LinkedHashSet<Lane> level : ready) {
                if (!level.isEmpty()) {
                    fewest = level;
                    break;
                }
            }
            Lane lane = fewest.iterator().next();
            fewest.remove(lane);
            start.add(lane.waiting.poll());
            waiting--;
            lane.running++;
            running++;
            if (!lane.waiting.isEmpty()) {
                ready.get(lane.running).add(lane);
            }
        }
        return start;
    }

    /** One hash of {@code lane} is done; called holding the lock. */
    private void finished(Lane lane) {
        if (!lane.waiting.isEmpty()) {
            ready.get(lane.running).remove(lane);
            ready.get(lane.running - 1).add(lane);
        }
        lane.running--;
        running--;
        if (lane.running == 0 && lane.waiting.isEmpty()) {
            lanes.remove(lane.address);
        }
    }

    private <T> void start(Task<T> task) {
        workers.<T>executeBlocking(() -> {
            long t0 = System.nanoTime();
            try {
                return task.work().call();
            } finally {
                long took = System.nanoTime() - t0;
                averageNanos = (averageNanos * 7 + took) / 8;
            }
        }, false).onComplete(ar -> {
            List<Task<?>> next;
            synchronized (lock) {
                finished(task.lane());
                next = dispatch();
            }
            next.forEach(this::start);
            task.context().runOnContext(v -> task.promise().handle(ar));
        });
    }
}
