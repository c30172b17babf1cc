package io.parley.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.UUID;

/**
 * Micrometer with a Prometheus registry, one per node (several nodes may share a JVM in tests). Vert.x's
 * own meters (HTTP, event bus, pools) go there, and so do Parley's; {@code /metrics} scrapes it.
 */
public final class Metrics {

    private static final String NODE_MAP = "parley.node";
    private static final String REGISTRY_KEY = "metricsRegistry";

    private Metrics() {
    }

    /** Enables Vert.x metrics on these options under a registry name of its own; answers the name. */
    public static String enable(VertxOptions options) {
        String name = "parley-" + UUID.randomUUID();
        options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setRegistryName(name)
                .setJvmMetricsEnabled(true)
                .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
        return name;
    }

    /** Remembers the node's registry name so its verticles find it. */
    public static void remember(Vertx vertx, String name) {
        vertx.sharedData().<String, String>getLocalMap(NODE_MAP).put(REGISTRY_KEY, name);
    }

    public static String registryName(Vertx vertx) {
        return vertx.sharedData().<String, String>getLocalMap(NODE_MAP).get(REGISTRY_KEY);
    }

    /** The node's registry, or null when metrics are off. */
    public static MeterRegistry registry(Vertx vertx) {
        String name = registryName(vertx);
        return name == null ? null : BackendRegistries.getNow(name);
    }
}
