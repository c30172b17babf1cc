package io.parley.chat;

import io.parley.Addresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * Publishes a channel event once, already serialized, in the node-to-node design in force
 * ({@code cluster.fanout}):
 * <ul>
 *   <li>{@code channel}: on {@code parley.channel.<id>}, where a node's hub has a consumer while it has
 *   local subscribers of that channel;</li>
 *   <li>{@code broadcast}: on {@code parley.fanout}, which every node's hub consumes and filters; and on
 *   {@code parley.channel.<id>} as well, for internal services (free when none listens).</li>
 * </ul>
 * Headers: {@code event} (message, edited, deleted, typing, removed), {@code channelId}, {@code at} (when
 * it was published, epoch milliseconds: the edges time the delivery from it), and {@code seq} or
 * {@code userId} where they apply.
 */
public final class Fanout {

    public enum Mode { CHANNEL, BROADCAST }

    private final EventBus eventBus;
    private final Mode mode;

    public Fanout(EventBus eventBus, String mode) {
        this.eventBus = eventBus;
        this.mode = "broadcast".equals(mode) ? Mode.BROADCAST : Mode.CHANNEL;
    }

    public void publish(long channelId, Buffer event, DeliveryOptions options) {
        options.addHeader("channelId", String.valueOf(channelId)).addHeader("at", String.valueOf(System.currentTimeMillis()));
        if (mode == Mode.BROADCAST) {
            eventBus.publish(Addresses.FANOUT, event, options);
        }
        eventBus.publish(Addresses.channel(channelId), event, options);
    }
}
