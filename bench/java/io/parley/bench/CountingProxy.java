package io.parley.bench;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;

import java.util.concurrent.atomic.AtomicLong;

/** A TCP proxy in front of a node that counts the bytes it carries each way: bytes on the wire, as sent. */
final class CountingProxy {

    final AtomicLong down = new AtomicLong();
    final AtomicLong up = new AtomicLong();
    final int port;

    CountingProxy(Vertx vertx, int targetPort) {
        NetServer server = vertx.createNetServer().connectHandler(client -> {
            client.pause();
            vertx.createNetClient().connect(targetPort, "127.0.0.1").onSuccess(node -> {
                client.handler(b -> {
                    up.addAndGet(b.length());
                    node.write(b);
                });
                node.handler(b -> {
                    down.addAndGet(b.length());
                    client.write(b);
                });
                client.closeHandler(v -> node.close());
                node.closeHandler(v -> client.close());
                client.resume();
            }).onFailure(t -> client.close());
        });
        port = server.listen(0, "127.0.0.1").await().actualPort();
    }
}
