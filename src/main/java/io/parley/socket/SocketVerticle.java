package io.parley.socket;

import io.parley.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The node's hub for channel traffic. It holds one cluster consumer of {@code parley.channel.<id>} per
 * channel that has local subscribers (never one per socket: each registration is an entry in Hazelcast's
 * subscription map), and forwards every event, as the Buffer it arrived in, to the edge instances that
 * asked for that channel. The edges own the sockets.
 */
public class SocketVerticle extends VerticleBase {

    private record Route(MessageConsumer<Buffer> consumer, Set<String> edges) {
    }

    private final Map<Long, Route> routes = new HashMap<>();

    @Override
    public Future<?> start() {
        MessageConsumer<JsonObject> interest = vertx.eventBus().localConsumer(Addresses.HUB_INTEREST, this::interest);
        return interest.completion();
    }

    /** {edge, channelId, on}: replies once the cluster consumer is registered, so no event is missed after it. */
    private void interest(Message<JsonObject> msg) {
        String edge = msg.body().getString("edge");
        long channelId = msg.body().getLong("channelId");
        boolean on = msg.body().getBoolean("on");
        Route route = routes.get(channelId);
        if (on) {
            if (route == null) {
                MessageConsumer<Buffer> consumer = vertx.eventBus().consumer(Addresses.channel(channelId));
                route = new Route(consumer, new HashSet<>());
                routes.put(channelId, route);
                consumer.handler(event -> forward(channelId, event));
            }
            route.edges().add(edge);
            route.consumer().completion().onComplete(ar -> msg.reply(ar.succeeded()));
        } else {
            if (route != null && route.edges().remove(edge) && route.edges().isEmpty()) {
                routes.remove(channelId);
                route.consumer().unregister();
            }
            msg.reply(true);
        }
    }

    private void forward(long channelId, Message<Buffer> event) {
        Route route = routes.get(channelId);
        if (route == null) {
            return;
        }
        DeliveryOptions options = new DeliveryOptions().setLocalOnly(true).setHeaders(event.headers())
                .addHeader("channelId", String.valueOf(channelId));
        for (String edge : route.edges()) {
            vertx.eventBus().send(Addresses.HUB_DELIVER_PREFIX + edge, event.body(), options);
        }
    }

    @Override
    public Future<?> stop() {
        return Future.join(routes.values().stream().map(r -> r.consumer().unregister()).toList());
    }
}
