package io.parley.bench;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy to a server on 127.0.0.1. It counts the bytes it carries each way (bytes on the wire, as
 * sent: what the bench measures), and it can be cut (every connection dropped, new ones refused, whatever
 * was in flight lost) and healed: a network partition while the server behind it keeps its state (what
 * the tests do to Redis). Given several targets, each new connection goes to the first one that accepts
 * it, in order: a load balancer in front of nodes, so a client keeps one address while the node behind it
 * dies (what the browser tests do). Built into the bench jar, and compiled with the tests too.
 */
public final class TcpProxy implements AutoCloseable {

    /** Bytes carried from the server to its clients, and from the clients to the server. */
    public final AtomicLong down = new AtomicLong();
    public final AtomicLong up = new AtomicLong();
    public final int port;
    private final NetServer server;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    public TcpProxy(Vertx vertx, int... targetPorts) {
        this.server = vertx.createNetServer().connectHandler(client -> {
            if (cut) {
                client.close();
                return;
            }
            client.pause();
            connect(vertx, client, targetPorts, 0);
        });
        this.port = server.listen(0, "127.0.0.1").await().actualPort();
    }

    private void connect(Vertx vertx, NetSocket client, int[] targets, int index) {
        if (index >= targets.length) {
            client.close();
            return;
        }
        vertx.createNetClient().connect(targets[index], "127.0.0.1").onSuccess(upstream -> {
            sockets.add(client);
            sockets.add(upstream);
            pipe(client, upstream, up);
            pipe(upstream, client, down);
            client.resume();
        }).onFailure(t -> connect(vertx, client, targets, index + 1));
    }

    private void pipe(NetSocket from, NetSocket to, AtomicLong counted) {
        from.handler(b -> {
            if (!cut) {
                counted.addAndGet(b.length());
                to.write(b);
            }
        });
        from.closeHandler(v -> {
            sockets.remove(from);
            to.close();
        });
    }

    public void cut() {
        cut = true;
        sockets.forEach(NetSocket::close);
        sockets.clear();
    }

    public void heal() {
        cut = false;
    }

    @Override
    public void close() {
        cut();
        server.close().await();
    }
}
