package io.parley.edge.ws;

import io.parley.bus.Addresses;
import io.parley.bus.Fanout;
import io.parley.config.ParleyConfig;
import io.parley.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's hub for channel traffic: it knows which edge instances of this node have subscribers of
 * which channel, and forwards every channel event, as the Buffer it arrived in, to those edges. How events
 * reach the node depends on {@code cluster.fanout} (see {@link Fanout}):
 * <ul>
 *   <li>channel: one cluster consumer of {@code parley.channel.<id>} per channel with local subscribers,
 *   registered when the first edge asks and removed after the last leaves (never one per socket: each
 *   registration is an entry in Hazelcast's subscription map);</li>
 *   <li>broadcast: one consumer of {@code parley.fanout}, every event filtered here.</li>
 * </ul>
 */
public class SocketVerticle extends VerticleBase {

    private record Route(MessageConsumer<Buffer> consumer, Set<String> edges) {
    }

    private final Map<Long, Route> routes = new HashMap<>();
    private boolean broadcast;
    private MessageConsumer<Buffer> all;
    private MessageConsumer<Buffer> presence;
    private MessageConsumer<Buffer> mentions;

    @Override
    public Future<?> start() {
        broadcast = "broadcast".equals(ParleyConfig.from(config()).cluster().fanout());
        MessageConsumer<JsonObject> interest = vertx.eventBus().localConsumer(Addresses.HUB_INTEREST, this::interest);
        // presence batches from every node: one per node and interval, handed to this node's edges
        presence = vertx.eventBus().consumer(Addresses.PRESENCE_CHANGED, batch ->
                vertx.eventBus().publish(Addresses.PRESENCE_DELIVER, batch.body(), new DeliveryOptions().setLocalOnly(true)));
        // mentions from every node, handed to this node's edges in the same way
        mentions = vertx.eventBus().consumer(Addresses.MENTIONS, event ->
                vertx.eventBus().publish(Addresses.MENTIONS_DELIVER, event.body(), new DeliveryOptions().setLocalOnly(true)));
        if (!broadcast) {
            return Future.all(interest.completion(), presence.completion(), mentions.completion());
        }
        all = vertx.eventBus().consumer(Addresses.FANOUT, event -> {
            String channelId = event.headers().get("channelId");
            if (channelId != null) {
                forward(Long.parseLong(channelId), event);
            }
        });
        return Future.all(List.of(interest.completion(), all.completion(), presence.completion(), mentions.completion()));
    }

    /** {edge, channelId, on}: replies once events of the channel reach this node, so none is missed after it. */
    private void interest(Message<JsonObject> msg) {
        String edge = msg.body().getString("edge");
        long channelId = msg.body().getLong("channelId");
        boolean on = msg.body().getBoolean("on");
        Route route = routes.get(channelId);
        if (on) {
            if (route == null) {
                MessageConsumer<Buffer> consumer = broadcast ? null : vertx.eventBus().consumer(Addresses.channel(channelId));
                route = new Route(consumer, new HashSet<>());
                routes.put(channelId, route);
                if (consumer != null) {
                    consumer.handler(event -> forward(channelId, event));
                }
            }
            route.edges().add(edge);
            Route registered = route;
            Future<Void> ready = route.consumer() == null ? Future.succeededFuture() : route.consumer().completion();
            ready.onComplete(ar -> {
                if (ar.succeeded()) {
                    msg.reply(true);
                    return;
                }
                // A route whose cluster registration failed would ack subscribers and never deliver: drop it,
                // so that the next interest registers afresh, and fail this one.
                if (routes.get(channelId) == registered) {
                    routes.remove(channelId);
                    registered.consumer().unregister();
                }
                msg.fail(ErrorCode.UNAVAILABLE.number, "The channel's route could not be registered: " + ar.cause().getMessage());
            });
        } else {
            if (route != null && route.edges().remove(edge) && route.edges().isEmpty()) {
                routes.remove(channelId);
                if (route.consumer() != null) {
                    route.consumer().unregister();
                }
            }
            msg.reply(true);
        }
    }

    private void forward(long channelId, Message<Buffer> event) {
        Route route = routes.get(channelId);
        if (route == null) {
            return;
        }
        DeliveryOptions options = new DeliveryOptions().setLocalOnly(true).setHeaders(event.headers());
        for (String edge : route.edges()) {
            vertx.eventBus().send(Addresses.HUB_DELIVER_PREFIX + edge, event.body(), options);
        }
    }

    @Override
    public Future<?> stop() {
        Future<?> a = all == null ? Future.succeededFuture() : all.unregister();
        return Future.join(a, presence.unregister(), mentions.unregister(), Future.join(routes.values().stream().filter(r -> r.consumer() != null)
                .map(r -> r.consumer().unregister()).toList()));
    }
}
