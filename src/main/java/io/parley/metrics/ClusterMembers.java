package io.parley.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.spi.cluster.ClusterManager;

/**
 * The cluster as this node sees it (for /health and the members gauge). The node hands its cluster
 * manager over once it is built, so nothing has to dig it out of Vert.x's internals.
 */
public final class ClusterMembers {

    private static final String MAP = "parley.node.cluster";

    private record Holder(ClusterManager manager) implements Shareable {
    }

    private ClusterMembers() {
    }

    /** Called by the node when its clustered Vert.x is up. */
    public static void remember(Vertx vertx, ClusterManager manager) {
        vertx.sharedData().<String, Holder>getLocalMap(MAP).put("manager", new Holder(manager));
    }

    private static ClusterManager manager(Vertx vertx) {
        LocalMap<String, Holder> map = vertx.sharedData().getLocalMap(MAP);
        Holder h = map.get("manager");
        return h == null ? null : h.manager();
    }

    /** Members this node sees: 1 when not clustered; throws while the node is leaving the cluster. */
    public static int count(Vertx vertx) {
        ClusterManager cm = manager(vertx);
        return cm == null ? 1 : cm.getNodes().size();
    }

    /** This node's id in the cluster, "local" when not clustered. */
    public static String nodeId(Vertx vertx) {
        ClusterManager cm = manager(vertx);
        return cm == null ? "local" : cm.getNodeId();
    }
}
