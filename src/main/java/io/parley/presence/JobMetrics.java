package io.parley.presence;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.metrics.Metrics;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** parley_job_duration_seconds{job,outcome} and parley_job_last_run_timestamp_seconds{job}: runs of this node. */
final class JobMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> lastRun = new ConcurrentHashMap<>();

    private JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    static JobMetrics forNode(Vertx vertx) {
        return new JobMetrics(Metrics.registry(vertx));
    }

    void record(String job, long millis, boolean ok) {
        Timer.builder("parley.job.duration").description("Background job runs on this node")
                .tag("job", job).tag("outcome", ok ? "success" : "failure").register(registry)
                .record(millis, TimeUnit.MILLISECONDS);
        lastRun.computeIfAbsent(job, j -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder("parley.job.last.run.timestamp", holder, AtomicLong::get).description("When this node last ran the job")
                    .baseUnit("seconds").tag("job", j).register(registry);
            return holder;
        }).set(System.currentTimeMillis() / 1000);
    }
}
