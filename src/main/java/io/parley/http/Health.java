package io.parley.http;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;

/** Cluster facts for /health. */
final class Health {

    private Health() {
    }

    static int members(Vertx vertx) {
        ClusterManager cm = ((VertxInternal) vertx).clusterManager();
        return cm == null ? 1 : cm.getNodes().size();
    }

    static String nodeId(Vertx vertx) {
        ClusterManager cm = ((VertxInternal) vertx).clusterManager();
        return cm == null ? "local" : cm.getNodeId();
    }
}
