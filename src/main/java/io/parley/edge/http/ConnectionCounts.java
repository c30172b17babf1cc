package io.parley.edge.http;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per client address on this node, shared by its edge instances (each runs on its own
 * event loop, and one client's connections spread over all of them). An address leaves the map when its
 * last connection closes, so the map holds at most one entry per open connection.
 */
final class ConnectionCounts implements Shareable {

    private static final String NODE_MAP = "parley.node";
    private static final String KEY = "connectionCounts";

    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final int cap;

    private ConnectionCounts(int cap) {
        this.cap = cap;
    }

    /** The node's counts: the first edge instance to start creates them, the others share them. */
    static ConnectionCounts of(Vertx vertx, int cap) {
        LocalMap<String, Object> map = vertx.sharedData().getLocalMap(NODE_MAP);
        Object existing = map.putIfAbsent(KEY, new ConnectionCounts(cap));
        return (ConnectionCounts) (existing != null ? existing : map.get(KEY));
    }

    /**
     * Takes a slot for a new connection from {@code address}; false when the address already has
     * {@code cap} open (0 = no cap). A refused connection takes no slot.
     */
    boolean acquire(String address) {
        boolean[] admitted = {true};
        open.compute(address, (k, n) -> {
            int now = n == null ? 0 : n;
            if (cap > 0 && now >= cap) {
                admitted[0] = false;
                return n;
            }
            return now + 1;
        });
        return admitted[0];
    }

    void release(String address) {
        open.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
    }

    int open(String address) {
        return open.getOrDefault(address, 0);
    }

    int addresses() {
        return open.size();
    }
}
