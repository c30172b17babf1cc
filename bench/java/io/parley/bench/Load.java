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

    private Load() {
    }

    /** Runs the loop with a progress line every second; answers the summary (percentiles, rate, errors). */
    static JsonObject closedLoop(Vertx vertx, Series series, int concurrency, int seconds, Supplier<Future<?>> call) {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong errors = new AtomicLong();
        Promise<Void> done = Promise.promise();
        AtomicLong inFlight = new AtomicLong(concurrency);
        for (int i = 0; i < concurrency; i++) {
            vertx.runOnContext(v -> loop(running, series, call, errors, inFlight, done));
        }
        long start = System.nanoTime();
        for (int s = 0; s < seconds; s++) {
            Bench.sleep(1000);
            series.tick(errors.get() > 0 ? "errors=" + errors.get() : null);
        }
        running.set(false);
        done.future().await();
        return series.summary((System.nanoTime() - start) / 1e9).put("errors", errors.get()).put("concurrency", concurrency);
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
        // bounded: a lost answer is an error, never a hung benchmark
        call.get().timeout(10, java.util.concurrent.TimeUnit.SECONDS).onComplete(ar -> {
            if (ar.succeeded()) {
                series.record((System.nanoTime() - t0) / 1000);
            } else {
                errors.incrementAndGet();
            }
            loop(running, series, call, errors, inFlight, done);
        });
    }

    static Future<Buffer> get(HttpClient http, int port, String path, String token) {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path)
                .setIdleTimeout(15_000);
        if (token != null) {
            o.putHeader("authorization", "Bearer " + token);
        }
        // bounded as a whole: waiting for a pooled connection is not covered by the idle timeout
        return http.request(o).compose(req -> req.send()).compose(resp -> resp.body().map(b -> {
            if (resp.statusCode() >= 300) {
                throw new IllegalStateException(path + " answered " + resp.statusCode());
            }
            return b;
        })).timeout(20, java.util.concurrent.TimeUnit.SECONDS);
    }

    static JsonObject json(Future<?> f) {
        return (JsonObject) f.await();
    }
}
