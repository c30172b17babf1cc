package io.parley.persistence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Admits at most {@code permits} searches at once (one per connection of the search pool) and lets
 * {@code queue} more wait, each at most {@code maxWaitMillis}, in arrival order. One more, or one that
 * waited too long, is refused with 503 {@code overloaded} and a Retry-After: a burst of searches gets
 * quick refusals instead of a queue whose tail would time out anyway. Used from its verticle's event
 * loop only.
 */
final class SearchGate {

    private record Waiter(Promise<Void> turn, long timer) {
    }

    private final Vertx vertx;
    private final int permits;
    private final int queue;
    private final long maxWaitMillis;
    private final int retryAfterSeconds;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private final Counter busy;
    private final Counter waitedTooLong;
    private int running;

    SearchGate(Vertx vertx, int permits, int queue, long maxWaitMillis, MeterRegistry registry) {
        this.vertx = vertx;
        this.permits = permits;
        this.queue = queue;
        this.maxWaitMillis = maxWaitMillis;
        this.retryAfterSeconds = (int) Math.max(1, (maxWaitMillis + 999) / 1000);
        this.busy = refused(registry, "busy");
        this.waitedTooLong = refused(registry, "waited");
    }

    static Counter refused(MeterRegistry registry, String reason) {
        return Counter.builder("parley.search.refused").tag("reason", reason)
                .description("Searches refused with 503: the queue was full (busy), the wait too long (waited), a statement ran out of time (timeout)")
                .register(registry);
    }

    /** Runs {@code work} when a permit is free, and frees it when the work's future completes. */
    <T> Future<T> run(Supplier<Future<T>> work) {
        if (running < permits) {
            running++;
            return start(work);
        }
        if (waiting.size() >= queue) {
            busy.increment();
            return Future.failedFuture(refusal("Too many searches are running on this server; try again in a moment."));
        }
        Promise<Void> turn = Promise.promise();
        long timer = vertx.setTimer(maxWaitMillis, id -> {
            if (waiting.removeIf(w -> w.turn() == turn)) {
                waitedTooLong.increment();
                turn.fail(refusal("The server is busy with other searches; try again in a moment."));
            }
        });
        waiting.add(new Waiter(turn, timer));
        return turn.future().compose(v -> start(work));
    }

    private <T> Future<T> start(Supplier<Future<T>> work) {
        Future<T> f;
        try {
            f = work.get();
        } catch (RuntimeException e) {
            f = Future.failedFuture(e);
        }
        return f.andThen(ar -> release());
    }

    /** Hands the permit to the longest waiting search, or gives it back. */
    private void release() {
        Waiter next = waiting.poll();
        if (next == null) {
            running--;
            return;
        }
        vertx.cancelTimer(next.timer());
        next.turn().complete();
    }

    private ParleyException refusal(String message) {
        return new ParleyException(ErrorCode.OVERLOADED, message, retryAfterSeconds);
    }
}
