package io.parley.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * Measures event-loop lag instead of guessing it: every 100 ms a timer is set on the verticle's own event
 * loop, and the delay between when it should fire and when it runs is recorded
 * ({@code parley.eventloop.lag{loop}}). A blocked or overloaded loop shows as lag.
 */
public final class EventLoopProbe {

    private static final long INTERVAL_MS = 100;

    private final Vertx vertx;
    private final Timer timer;
    private long timerId = -1;
    private volatile boolean running;

    public EventLoopProbe(Vertx vertx, MeterRegistry registry) {
        this.vertx = vertx;
        this.timer = Timer.builder("parley.eventloop.lag").description("Delay of a 100 ms timer on this event loop")
                .tag("loop", Thread.currentThread().getName()).publishPercentiles(0.5, 0.99).register(registry);
    }

    public void start() {
        running = true;
        schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS));
    }

    private void schedule(long due) {
        timerId = vertx.setTimer(INTERVAL_MS, id -> {
            long now = System.nanoTime();
            timer.record(Math.max(0, now - due), TimeUnit.NANOSECONDS);
            if (running) {
                schedule(now + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS));
            }
        });
    }

    public void stop() {
        running = false;
        vertx.cancelTimer(timerId);
    }
}
