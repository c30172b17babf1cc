package io.parley.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.parley.redis.NodeRedis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Samples Redis' {@code INFO memory} every 15 s on the node's client (asynchronous: no event
 * loop waits on it) and exposes {@code parley.redis.memory.used} ({@code used_memory}) and
 * {@code parley.redis.memory.max} ({@code maxmemory}, 0 when Redis has no limit), in bytes. Every node
 * samples the same Redis; the gauges are NaN until the first answer and after a failed one. Not started
 * when Redis is not configured.
 */
public final class RedisMemory {

    static final long INTERVAL_MS = 15_000;

    private final Vertx vertx;
    private final NodeRedis redis;
    private final List<Meter> meters;
    private volatile double used = Double.NaN;
    private volatile double max = Double.NaN;
    private long timer = -1;

    private RedisMemory(Vertx vertx, NodeRedis redis, MeterRegistry registry) {
        this.vertx = vertx;
        this.redis = redis;
        this.meters = List.of(
                Gauge.builder("parley.redis.memory.used", this, r -> r.used).baseUnit("bytes").strongReference(true)
                        .description("Memory Redis uses (INFO memory used_memory), sampled every 15 s").register(registry),
                Gauge.builder("parley.redis.memory.max", this, r -> r.max).baseUnit("bytes").strongReference(true)
                        .description("Redis' memory limit (INFO memory maxmemory; 0 = no limit)").register(registry));
    }

    /** Starts sampling on the node's client (a first sample at once). */
    public static RedisMemory start(Vertx vertx, NodeRedis redis) {
        RedisMemory sampler = new RedisMemory(vertx, redis, Metrics.registry(vertx));
        sampler.sample();
        sampler.timer = vertx.setPeriodic(INTERVAL_MS, id -> sampler.sample());
        return sampler;
    }

    private void sample() {
        redis.sendInBackground(Request.cmd(Command.INFO).arg("memory")).onComplete(ar -> {
            if (ar.succeeded() && ar.result() != null) {
                String info = ar.result().toString();
                used = field(info, "used_memory");
                max = field(info, "maxmemory");
            } else {
                used = Double.NaN;
                max = Double.NaN;
            }
        });
    }

    /** A numeric field of an INFO answer ({@code name:value} lines), or NaN. */
    static double field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                try {
                    return Double.parseDouble(line.substring(name.length() + 1).trim());
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
        }
        return Double.NaN;
    }

    public Future<Void> stop() {
        vertx.cancelTimer(timer);
        meters.forEach(Metrics.registry(vertx)::remove);
        return Future.succeededFuture();
    }
}
