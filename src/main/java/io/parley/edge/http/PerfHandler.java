package io.parley.edge.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.lang.management.ManagementFactory;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import io.parley.bus.Addresses;
import io.parley.bus.OpsApi;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /admin/perf} (admins only): this node's numbers in one JSON — per-query timings and the
 * slowest recent queries, pool, event-loop lag, sockets, message rates, cache hit rates, background jobs.
 * The same meters are at {@code /metrics} for Prometheus.
 */
final class PerfHandler {

    private static final long SAMPLE_MS = 5_000;

    private final Vertx vertx;
    /** committed and delivered per second over the last sampling window (5 s). */
    private volatile double committedRate;
    private volatile double deliveredRate;
    private double lastCommitted;
    private double lastDelivered;
    private final long timer;

    private final OpsApi ops;

    /** db.poolSize: the pool's use is shown against it. */
    private final int poolMaxSize;
    /** This node in {@code nodes}: its host name and HTTP port. */
    private final String nodeName;
    /** The other nodes' latest summaries, by node; read only when fresh ({@link #FRESH_MS}), bounded. */
    private final Map<String, JsonObject> peers = new LinkedHashMap<>();
    private final MessageConsumer<Object> wants;
    private final MessageConsumer<JsonObject> summaries;
    private final long summaryTimer;
    /** While someone watches (a PERF_WANTED in the last 10 s), this node publishes its summary each second. */
    private long wantedUntil;
    private long lastWantSent;
    static final long FRESH_MS = 5_000;
    static final int MAX_PEERS = 256;

    PerfHandler(Vertx vertx, OpsApi ops, int poolMaxSize, int httpPort) {
        this.vertx = vertx;
        this.ops = ops;
        this.poolMaxSize = poolMaxSize;
        String host = System.getenv("HOSTNAME");
        this.nodeName = (host == null || host.isBlank() ? "node" : host) + ":" + httpPort;
        this.wants = vertx.eventBus().consumer(Addresses.PERF_WANTED, m -> wantedUntil = System.currentTimeMillis() + 10_000);
        this.summaries = vertx.eventBus().<JsonObject>consumer(Addresses.PERF_SUMMARY, m -> {
            String node = m.body().getString("node");
            if (node != null && !node.equals(nodeName) && (peers.containsKey(node) || peers.size() < MAX_PEERS)) {
                peers.put(node, m.body().put("receivedAt", System.currentTimeMillis()));
            }
        });
        this.summaryTimer = vertx.setPeriodic(1_000, id -> {
            if (System.currentTimeMillis() < wantedUntil) {
                vertx.eventBus().publish(Addresses.PERF_SUMMARY, summary(Metrics.registry(vertx)));
            }
        });
        this.timer = vertx.setPeriodic(SAMPLE_MS, id -> sample());
    }

    private void sample() {
        MeterRegistry r = Metrics.registry(vertx);
        double committed = count(r, "parley.messages.committed");
        double delivered = count(r, "parley.messages.delivered");
        committedRate = (committed - lastCommitted) * 1000.0 / SAMPLE_MS;
        deliveredRate = (delivered - lastDelivered) * 1000.0 / SAMPLE_MS;
        lastCommitted = committed;
        lastDelivered = delivered;
    }

    private static double count(MeterRegistry r, String name) {
        return r.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    void stop() {
        vertx.cancelTimer(timer);
        vertx.cancelTimer(summaryTimer);
        wants.unregister();
        summaries.unregister();
    }

    /** What the other nodes' consoles show of this node. */
    private JsonObject summary(MeterRegistry r) {
        double lag = r.find("parley.eventloop.lag").timers().stream().mapToDouble(t -> p99(t)).max().orElse(0);
        Timer delivery = r.find("parley.messages.delivery").timer();
        return new JsonObject().put("node", nodeName)
                .put("sockets", (long) r.find("parley.ws.sockets").gauges().stream().mapToDouble(Gauge::value).sum())
                .put("eventLoopLagP99Ms", round(lag))
                .put("deliveryP99Ms", delivery == null ? null : round(p99(delivery)))
                .put("committedPerSecond", round(committedRate)).put("deliveredPerSecond", round(deliveredRate));
    }

    private static double p99(Timer t) {
        return percentile(t, 0.99);
    }

    /** This node and the others that published a summary in the last {@link #FRESH_MS}, by name. */
    private JsonArray nodes(MeterRegistry r) {
        long now = System.currentTimeMillis();
        peers.values().removeIf(s -> now - s.getLong("receivedAt", 0L) > FRESH_MS);
        JsonArray out = new JsonArray().add(summary(r));
        peers.values().stream().sorted(Comparator.comparing((JsonObject s) -> s.getString("node")))
                .forEach(s -> out.add(s.copy().put("ageMs", now - s.getLong("receivedAt")).put("receivedAt", (Object) null)));
        out.forEach(o -> ((JsonObject) o).remove("receivedAt"));
        return out;
    }

    void handle(RoutingContext ctx) {
        if (!Requests.principal(ctx).isAdmin()) {
            throw ParleyException.of(ErrorCode.FORBIDDEN, "The performance monitor is for admins.");
        }
        MeterRegistry r = Metrics.registry(vertx);
        long now = System.currentTimeMillis();
        if (now - lastWantSent > 2_000) {
            // an admin watches: every node publishes its summary for the next 10 s
            lastWantSent = now;
            vertx.eventBus().publish(Addresses.PERF_WANTED, null);
        }
        Timer delivery = r.find("parley.messages.delivery").timer();
        JsonObject perf = new JsonObject()
                .put("node", nodeName)
                .put("nodes", nodes(r))
                .put("delivery", delivery == null ? null : new JsonObject().put("count", delivery.count())
                        .put("p50Ms", round(percentile(delivery, 0.5))).put("p99Ms", round(p99(delivery)))
                        .put("maxMs", round(delivery.max(TimeUnit.MILLISECONDS))))
                .put("uptimeSeconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000)
                .put("queries", timers(r, "parley.db.query", "query"))
                .put("webSocket", timers(r, "parley.ws.request", "type"))
                .put("eventLoopLag", timers(r, "parley.eventloop.lag", "loop"))
                .put("sockets", (long) r.find("parley.ws.sockets").gauges().stream().mapToDouble(Gauge::value).sum())
                .put("clusterMembers", r.find("parley.cluster.members").gauges().stream().mapToLong(g -> (long) g.value()).max().orElse(1))
                .put("messages", new JsonObject()
                        .put("committed", (long) count(r, "parley.messages.committed"))
                        .put("delivered", (long) count(r, "parley.messages.delivered"))
                        .put("committedPerSecond", round(committedRate)).put("deliveredPerSecond", round(deliveredRate))
                        .put("rateWindowSeconds", SAMPLE_MS / 1000))
                .put("recovery", recovery(r))
                .put("cache", cache(r))
                .put("pool", pool(r).put("maxSize", poolMaxSize))
                .put("jobs", timers(r, "parley.job.duration", "job"));
        ops.slowQueries()
                .onSuccess(slow -> Requests.json(ctx, 200, perf.put("slowQueries", slow.getJsonArray("slowQueries"))
                        .put("slowQueryThresholdMs", slow.getInteger("thresholdMs"))
                        .put("redisUsedMemory", slow.getLong("redisUsedMemory"))))
                .onFailure(ctx::fail);
    }

    /** Per tag value: count, mean, max and the p50/p95/p99 the timer publishes, in milliseconds. */
    private static JsonArray timers(MeterRegistry r, String name, String tag) {
        JsonArray out = new JsonArray();
        r.find(name).timers().stream().sorted(Comparator.comparing((Timer t) -> -t.totalTime(TimeUnit.NANOSECONDS))).forEach(t -> {
            JsonObject row = new JsonObject().put(tag, t.getId().getTag(tag)).put("count", t.count())
                    .put("meanMs", round(t.mean(TimeUnit.MILLISECONDS))).put("maxMs", round(t.max(TimeUnit.MILLISECONDS)));
            String outcome = t.getId().getTag("outcome");
            if (outcome != null) {
                row.put("outcome", outcome);
            }
            for (ValueAtPercentile p : t.takeSnapshot().percentileValues()) {
                row.put("p" + Math.round(p.percentile() * 100) + "Ms", round(p.value(TimeUnit.MILLISECONDS)));
            }
            out.add(row);
        });
        return out;
    }

    /** parley.cache.requests{cache,result=hit|miss} → hit rate per cache. */
    /** parley.ws.recovery by event: resumes, replayed messages, gaps, catch-up retries, resyncs, 1013 closes, failed subscribes. */
    private static JsonObject recovery(MeterRegistry r) {
        JsonObject out = new JsonObject();
        r.find("parley.ws.recovery").counters().forEach(c -> {
            String event = c.getId().getTag("event");
            out.put(event, out.getLong(event, 0L) + (long) c.count());
        });
        return out;
    }

    private static JsonObject cache(MeterRegistry r) {
        JsonObject out = new JsonObject();
        r.find("parley.cache.requests").counters().forEach(c -> {
            String cache = c.getId().getTag("cache");
            JsonObject row = out.getJsonObject(cache, new JsonObject().put("hits", 0L).put("misses", 0L));
            String key = "hit".equals(c.getId().getTag("result")) ? "hits" : "misses";
            row.put(key, row.getLong(key) + (long) c.count());
            long total = row.getLong("hits") + row.getLong("misses");
            row.put("hitRate", total == 0 ? null : round((double) row.getLong("hits") / total));
            out.put(cache, row);
        });
        return out;
    }

    /** Vert.x's pool meters for the requests' Postgres pool (not the searches' own): size in use, waiting, and the wait time. */
    private static JsonObject pool(MeterRegistry r) {
        JsonObject out = new JsonObject();
        for (Meter m : r.getMeters()) {
            String name = m.getId().getName();
            if (name.startsWith("vertx.pool") && "sql".equals(m.getId().getTag("pool_type"))
                    && "parley-pg".equals(m.getId().getTag("pool_name"))) {
                m.measure().forEach(ms -> out.put(name.substring("vertx.pool.".length()) + "." + ms.getStatistic().name().toLowerCase(),
                        round(ms.getValue())));
            }
        }
        return out;
    }

    /** The percentile {@code q} the timer publishes, in milliseconds; its max if it publishes none. */
    private static double percentile(Timer t, double q) {
        for (ValueAtPercentile p : t.takeSnapshot().percentileValues()) {
            if (Math.abs(p.percentile() - q) < 1e-9) {
                return p.value(TimeUnit.MILLISECONDS);
            }
        }
        return t.max(TimeUnit.MILLISECONDS);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
