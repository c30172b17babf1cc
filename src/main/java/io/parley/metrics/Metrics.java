package io.parley.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.UUID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.shareddata.Shareable;

/**
 * Micrometer with a Prometheus registry, one per node (several nodes may share a JVM in tests). Vert.x's
 * own meters (HTTP, event bus, pools) go there, and so do Parley's; the management listener's
 * {@code /metrics} scrapes it.
 */
public final class Metrics {

    private static final String NODE_MAP = "parley.node";
    private static final String REGISTRY_KEY = "metricsRegistry";

    private Metrics() {
    }

    /** What {@link #enable} set up: the registry's name and the factory to build Vert.x with. */
    public record Setup(String name, MicrometerMetricsFactory factory) {
    }

    /**
     * Enables Vert.x metrics on these options under a registry name of its own. The registry is made
     * here rather than by Vert.x so the tag bounds ({@link BoundedTags}) are in place before the first
     * meter: Micrometer applies filters only to meters registered after them.
     */
    public static Setup enable(VertxOptions options) {
        String name = "parley-" + UUID.randomUUID();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new BoundedTags());
        for (MeterFilter backstop : BoundedTags.backstops()) {
            registry.config().meterFilter(backstop);
        }
        registry.config().meterFilter(new Histograms());
        // the route label is the matched route's template (BoundedTags joins a sub-router's mount and route)
        options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setRegistryName(name)
                .setJvmMetricsEnabled(true).addLabels(Label.HTTP_ROUTE)
                .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
        return new Setup(name, new MicrometerMetricsFactory(registry));
    }

    /** Remembers the node's registry name so its verticles find it. */
    public static void remember(Vertx vertx, String name) {
        vertx.sharedData().<String, String>getLocalMap(NODE_MAP).put(REGISTRY_KEY, name);
    }

    /**
     * The node's own gauges: {@code parley.cluster.members}, the members this node sees (1 when not
     * clustered; a drop means a node left or this one is cut off), and {@code parley.db.pool.max}, the
     * PostgreSQL connections this node may open (pool size times persistence instances), the
     * denominator of the pool's use ({@code vertx.pool.in.use}).
     */
    public static void bindNode(Vertx vertx, int poolMax) {
        MeterRegistry registry = registry(vertx);
        Gauge.builder("parley.cluster.members", vertx, Metrics::members).strongReference(true)
                .description("Cluster members this node sees (1 when not clustered)").register(registry);
        Gauge.builder("parley.db.pool.max", () -> poolMax)
                .description("PostgreSQL connections this node may open").register(registry);
    }

    private static double members(Vertx vertx) {
        try {
            return ClusterMembers.count(vertx);
        } catch (RuntimeException e) {
            return Double.NaN; // leaving or left the cluster
        }
    }

    public static String registryName(Vertx vertx) {
        return vertx.sharedData().<String, String>getLocalMap(NODE_MAP).get(REGISTRY_KEY);
    }

    /**
     * The node's registry, never null: the Prometheus one, or, when metrics are off, an in-memory registry
     * of this Vert.x instance that nothing publishes (the performance monitor still reads it). Code that
     * records meters therefore never checks for "no metrics".
     */
    public static MeterRegistry registry(Vertx vertx) {
        String name = registryName(vertx);
        MeterRegistry published = name == null ? null : BackendRegistries.getNow(name);
        if (published != null) {
            return published;
        }
        return vertx.sharedData().<String, Unpublished>getLocalMap(NODE_MAP + ".unpublished")
                .computeIfAbsent("registry", k -> new Unpublished(new SimpleMeterRegistry())).registry();
    }

    /** Lets the unpublished registry be shared by the verticles of one node. */
    private record Unpublished(MeterRegistry registry) implements Shareable {
    }
}
