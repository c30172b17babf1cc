package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Closed-loop load: {@code concurrency} calls in flight for {@code seconds}, each timed into a series. */
final class Load {

    /** The context that runs calls made from threads outside Vert.x (the scenario's main thread). */
    private static volatile io.vertx.core.Context home;

    private Load() {
    }

    /**
     * Makes {@code vertx} the generator's: calls started outside its threads from now on run on one of its
     * event-loop contexts. Requests issued straight from a plain thread (each one then gets a fresh context)
     * made the keep-alive HTTP client pool stall now and then: a request waited for a connection while idle
     * ones sat in the pool, and not even its connect timeout fired.
     */
    static Vertx use(Vertx vertx) {
        home = vertx.getOrCreateContext();
        return vertx;
    }

    /** Runs {@code call} on the current Vert.x context, or on the generator's when called from a plain thread. */
    static <T> Future<T> onLoop(Supplier<Future<T>> call) {
        return onLoop(home, call);
    }

    /** Runs {@code call} on the current Vert.x context, or on {@code ctx} when called from a plain thread. */
    static <T> Future<T> onLoop(io.vertx.core.Context ctx, Supplier<Future<T>> call) {
        if (io.vertx.core.Vertx.currentContext() != null || ctx == null) {
            return call.get();
        }
        Promise<T> p = Promise.promise();
        ctx.runOnContext(v -> {
            try {
                call.get().onComplete(p);
            } catch (RuntimeException e) {
                p.tryFail(e);
            }
        });
        return p.future();
    }

    /**
     * Runs the loop for {@code warmup} seconds unrecorded (JIT, caches, pools), then {@code seconds} measured, with a
     * progress line every second; answers the measured summary (percentiles, rate, errors, server CPU).
     */
    static JsonObject closedLoop(Vertx vertx, Series series, int concurrency, int warmup, int seconds, Supplier<Future<?>> call) {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong errors = new AtomicLong();
        Promise<Void> done = Promise.promise();
        AtomicLong inFlight = new AtomicLong(concurrency);
        for (int i = 0; i < concurrency; i++) {
            vertx.runOnContext(v -> loop(running, series, call, errors, inFlight, done));
        }
        long start = measure(series, warmup, seconds, () -> errors.get() > 0 ? "errors=" + errors.get() : null, errors);
        running.set(false);
        done.future().await();
        return series.summary((System.nanoTime() - start) / 1e9).put("errors", errors.get()).put("concurrency", concurrency);
    }

    /**
     * Open-loop load: calls started at a fixed {@code rate} per second whatever the answers do, for {@code warmup}
     * seconds unrecorded and then {@code seconds} measured. Latency counts from when a call was due, not
     * when it went out, so a stalled server is not hidden by a generator that waits for it (coordinated
     * omission). At most {@code maxInFlight} calls are outstanding; calls due beyond that are counted as
     * dropped, and the run is then over capacity.
     */
    static JsonObject openLoop(Vertx vertx, Series series, int rate, int warmup, int seconds, int maxInFlight, Supplier<Future<?>> call) {
        AtomicLong errors = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        AtomicLong inFlight = new AtomicLong();
        AtomicLong issued = new AtomicLong();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        long timer = vertx.setPeriodic(1, id -> {
            long now = System.nanoTime();
            long due = (now - start) / interval;
            for (long k = issued.get(); k < due; k = issued.incrementAndGet()) {
                long dueAt = start + k * interval;
                if (inFlight.get() >= maxInFlight) {
                    dropped.incrementAndGet();
                    continue;
                }
                inFlight.incrementAndGet();
                call.get().timeout(60, java.util.concurrent.TimeUnit.SECONDS).onComplete(ar -> {
                    inFlight.decrementAndGet();
                    if (ar.succeeded()) {
                        series.record((System.nanoTime() - dueAt) / 1000);
                    } else {
                        errors.incrementAndGet();
                    }
                });
            }
        });
        long measured = measure(series, warmup, seconds, () -> "in flight " + inFlight.get()
                + (errors.get() + dropped.get() > 0 ? " errors=" + errors.get() + " dropped=" + dropped.get() : ""), errors, dropped);
        vertx.cancelTimer(timer);
        JsonObject r = series.summary((System.nanoTime() - measured) / 1e9).put("offeredRate", rate).put("errors", errors.get())
                .put("dropped", dropped.get());
        for (int i = 0; i < 300 && inFlight.get() > 0; i++) {
            Bench.sleep(100);
        }
        return r;
    }

    /**
     * The clock of a phase: {@code warmup} ticks unrecorded, then the series and {@code counters} start over and
     * {@code seconds} ticks are measured, each with a status; answers when the measured window began (nanoTime).
     */
    private static long measure(Series series, int warmup, int seconds, Supplier<String> status, AtomicLong... counters) {
        for (int s = 0; s < warmup; s++) {
            Bench.sleep(1000);
            series.tick("(warm-up)");
        }
        series.restart();
        for (AtomicLong c : counters) {
            c.set(0);
        }
        long start = System.nanoTime();
        for (int s = 0; s < seconds; s++) {
            Bench.sleep(1000);
            series.tick(status.get());
        }
        return start;
    }

    private static void loop(AtomicBoolean running, Series series, Supplier<Future<?>> call, AtomicLong errors, AtomicLong inFlight,
                             Promise<Void> done) {
        if (!running.get()) {
            if (inFlight.decrementAndGet() == 0) {
                done.tryComplete();
            }
            return;
        }
        long t0 = System.nanoTime();
        // each call bounds itself (HTTP: connect + pool wait and idle timeouts, which also free the connection);
        // this is only the backstop that keeps a lost answer from hanging the run
        call.get().timeout(60, java.util.concurrent.TimeUnit.SECONDS).onComplete(ar -> {
            if (ar.succeeded()) {
                series.record((System.nanoTime() - t0) / 1000);
            } else {
                errors.incrementAndGet();
            }
            loop(running, series, call, errors, inFlight, done);
        });
    }

    static Future<Buffer> get(HttpClient http, int port, String path, String token) {
        // timeout = the wait for a pooled connection (connect timeout) and for the answer (idle timeout); when it
        // fires the request is reset and its connection closed, so a slow answer cannot hold a pool slot forever
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path)
                .setTimeout(15_000);
        if (token != null) {
            o.putHeader("authorization", "Bearer " + token);
        }
        return onLoop(() -> http.request(o).compose(req -> req.send()).compose(resp -> resp.body().map(b -> {
            if (resp.statusCode() >= 300) {
                throw new IllegalStateException(path + " answered " + resp.statusCode());
            }
            return b;
        })));
    }

    static JsonObject json(Future<?> f) {
        return (JsonObject) f.await();
    }
}
