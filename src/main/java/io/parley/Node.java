package io.parley;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A running node: its Vert.x and its deployments in start order. Stopping undeploys them in reverse
 * (presence, then the edges drain their sockets and requests, then the hub, then persistence lets its
 * in-flight writes commit) and only then leaves the cluster.
 */
public final class Node {

    private final Vertx vertx;
    private final List<String> deployments = new ArrayList<>();

    Node(Vertx vertx) {
        this.vertx = vertx;
    }

    public Vertx vertx() {
        return vertx;
    }

    void deployed(String id) {
        deployments.add(id);
    }

    public Future<Void> stop() {
        List<String> reverse = new ArrayList<>(deployments);
        Collections.reverse(reverse);
        Future<Void> chain = Future.succeededFuture();
        for (String id : reverse) {
            chain = chain.compose(v -> vertx.undeploy(id).otherwiseEmpty());
        }
        return chain.eventually(vertx::close);
    }
}
