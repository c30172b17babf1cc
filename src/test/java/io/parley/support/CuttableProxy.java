package io.parley.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy to a real server that a test can cut (every connection dropped, new ones refused, whatever
 * was in flight lost) and heal: a network partition, while the server behind it keeps its state.
 */
public final class CuttableProxy implements AutoCloseable {

    private final Vertx vertx;
    private final NetServer server;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    public final int port;

    public CuttableProxy(Vertx vertx, int targetPort) {
        this.vertx = vertx;
        this.server = vertx.createNetServer().connectHandler(client -> {
            if (cut) {
                client.close();
                return;
            }
            client.pause();
            vertx.createNetClient().connect(targetPort, "127.0.0.1").onSuccess(upstream -> {
                sockets.add(client);
                sockets.add(upstream);
                client.handler(b -> {
                    if (!cut) {
                        upstream.write(b);
                    }
                });
                upstream.handler(b -> {
                    if (!cut) {
                        client.write(b);
                    }
                });
                client.closeHandler(v -> upstream.close());
                upstream.closeHandler(v -> client.close());
                client.resume();
            }).onFailure(t -> client.close());
        });
        this.port = server.listen(0, "127.0.0.1").await().actualPort();
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
