package io.parley.http;

import io.parley.metrics.ClusterMembers;
import io.vertx.core.Vertx;

/** Cluster facts for /health. */
final class Health {

    private Health() {
    }

    static int members(Vertx vertx) {
        return ClusterMembers.count(vertx);
    }

    static String nodeId(Vertx vertx) {
        return ClusterMembers.nodeId(vertx);
    }
}
