package io.parley.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the latency timers as Prometheus histograms ({@code _bucket{le}}) so a percentile can be
 * computed over the whole cluster ({@code histogram_quantile} of the summed buckets), which per-node
 * quantiles cannot give. The buckets are a fixed list per timer, not Micrometer's percentile histogram
 * (about 70 buckets a series): 14 latency bounds from 0.5 ms to 10 s, with 0.5 s among them for the
 * cached-responses alert. Timers that also compute client-side percentiles keep them for
 * {@code /admin/perf}; the Prometheus registry then exports the buckets only.
 */
public final class Histograms implements MeterFilter {

    /** Milliseconds: requests, queries, socket frames, deliveries, pool waits, event-loop lag. */
    static final double[] LATENCY_MS = {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000};
    /** Milliseconds: background jobs, which may take minutes. */
    static final double[] JOB_MS = {10, 50, 100, 500, 1_000, 5_000, 10_000, 30_000, 60_000, 300_000};

    private static final Map<String, double[]> BUCKETS = Map.of(
            "parley.db.query", LATENCY_MS,
            "parley.ws.request", LATENCY_MS,
            "parley.eventloop.lag", LATENCY_MS,
            "parley.messages.delivery", LATENCY_MS,
            "parley.job.duration", JOB_MS,
            "vertx.http.server.response.time", LATENCY_MS,
            "vertx.pool.queue.time", LATENCY_MS);

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        double[] ms = id.getType() == Meter.Type.TIMER ? BUCKETS.get(id.getName()) : null;
        if (ms == null) {
            return config;
        }
        double[] nanos = new double[ms.length];
        for (int i = 0; i < ms.length; i++) {
            nanos[i] = ms[i] * TimeUnit.MILLISECONDS.toNanos(1);
        }
        // ours win over the meter's own: no timer can switch on the ~70-bucket percentile histogram
        return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).percentilesHistogram(false)
                .build().merge(config);
    }
}
