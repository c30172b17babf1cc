package io.parley.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import io.vertx.core.Promise;
import java.util.function.Supplier;

/**
 * A running node: its Vert.x and its deployments in start order. Stopping undeploys them in reverse
 * (the edges drain their sockets and requests while presence and the hub still hear their disconnects,
 * then the hub, presence, and last persistence lets its in-flight writes commit) and only then leaves
 * the cluster.
 */
public final class Node {

    private final Vertx vertx;
    private final List<String> deployments = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<Supplier<Future<Void>>> closers = new ArrayList<>();

    Node(Vertx vertx) {
        this.vertx = vertx;
    }

    public Vertx vertx() {
        return vertx;
    }

    void deployed(String name, String id) {
        deployments.add(id);
        names.add(name);
    }

    /** Run once every verticle has stopped, before Vert.x closes (the node's shared clients). */
    void closeAfterStop(Supplier<Future<Void>> closer) {
        closers.add(closer);
    }

    /** The verticles deployed, by simple class name, in the order they became ready (for tests and logs). */
    public List<String> started() {
        return List.copyOf(names);
    }

    /** Node-local map and key of the node's state: "starting", "ready" (every verticle deployed), "draining". */
    private static final String STATE_MAP = "parley.node.state";
    private static final String STATE_KEY = "state";

    /** Every verticle is deployed: /health/ready answers 200 from now until the drain starts. */
    Node ready() {
        vertx.sharedData().<String, String>getLocalMap(STATE_MAP).put(STATE_KEY, "ready");
        return this;
    }

    /** "starting", "ready" or "draining", for /health/ready. */
    public static String state(Vertx vertx) {
        return vertx.sharedData().<String, String>getLocalMap(STATE_MAP).getOrDefault(STATE_KEY, "starting");
    }

    public Future<Void> stop() {
        // not ready from the first moment of the drain, so a load balancer stops sending before sockets close
        vertx.sharedData().<String, String>getLocalMap(STATE_MAP).put(STATE_KEY, "draining");
        List<String> reverse = new ArrayList<>(deployments);
        Collections.reverse(reverse);
        Future<Void> chain = Future.succeededFuture();
        for (String id : reverse) {
            chain = chain.compose(v -> vertx.undeploy(id).otherwiseEmpty());
        }
        for (Supplier<Future<Void>> closer : closers) {
            chain = chain.compose(v -> closer.get().otherwiseEmpty());
        }
        // Answered on whichever thread finishes closing Vert.x: a future tied to one of its event loops
        // could never deliver its result once the loops have stopped (a failed boot would then hang its caller).
        Promise<Void> closed = Promise.promise();
        chain.onComplete(ar -> vertx.close().onComplete(x -> closed.complete()));
        return closed.future();
    }
}
