package io.parley.bus;

import io.parley.bus.Addresses;
import io.parley.domain.Membership;
import io.parley.domain.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Publishes a channel event once, already serialized, in the node-to-node design in force
 * ({@code cluster.fanout}):
 * <ul>
 *   <li>{@code channel}: on {@code parley.channel.<id>}, where a node's hub has a consumer while it has
 *   local subscribers of that channel;</li>
 *   <li>{@code broadcast}: on {@code parley.fanout}, which every node's hub consumes and filters; and on
 *   {@code parley.channel.<id>} as well, for internal services (free when none listens).</li>
 * </ul>
 * Headers: {@code event} (message, approved, rejected, edited, deleted, typing, removed, read, member, access),
 * {@code channelId}, {@code at} (when it was published, epoch milliseconds: the edges time the delivery
 * from it), {@code seq} or {@code userId} where they apply, and {@code status} for a held message.
 */
public final class Fanout implements ChatEvents {

    public enum Mode { CHANNEL, BROADCAST }

    private final EventBus eventBus;
    private final Mode mode;

    public Fanout(EventBus eventBus, String mode) {
        this.eventBus = eventBus;
        this.mode = "broadcast".equals(mode) ? Mode.BROADCAST : Mode.CHANNEL;
    }

    @Override
    public void message(Message m) {
        DeliveryOptions options = options(m, "message");
        if (m.held()) {
            // the edges show it whole to its author (userId) and the channel's moderators, to others only its place
            options.addHeader("userId", String.valueOf(m.senderId())).addHeader("status", m.status());
        }
        publish(m.channelId(), Views.messageEvent(m).toBuffer(), options);
    }

    @Override
    public void decided(Message m) {
        boolean approved = Message.APPROVED.equals(m.status());
        publish(m.channelId(), (approved ? Views.approvedEvent(m) : Views.rejectedEvent(m)).toBuffer(),
                options(m, approved ? "approved" : "rejected").addHeader("userId", String.valueOf(m.senderId())));
    }

    @Override
    public void edited(Message m) {
        publish(m, Views.editedEvent(m), "edited");
    }

    @Override
    public void deleted(Message m) {
        publish(m, Views.deletedEvent(m), "deleted");
    }

    @Override
    public void removed(long channelId, long userId) {
        JsonObject event = new JsonObject().put("type", "removed").put("channelId", channelId).put("userId", userId);
        publish(channelId, event.toBuffer(), new DeliveryOptions().addHeader("event", "removed").addHeader("userId", String.valueOf(userId)));
    }

    @Override
    public void read(long channelId, long userId, long lastReadSeq, boolean receipts) {
        JsonObject event = new JsonObject().put("type", "read").put("channelId", channelId).put("userId", userId)
                .put("lastReadSeq", lastReadSeq);
        publish(channelId, event.toBuffer(), new DeliveryOptions().addHeader("event", "read")
                .addHeader("userId", String.valueOf(userId)).addHeader("scope", receipts ? "members" : "self"));
    }

    @Override
    public void member(long channelId, long userId, Membership m) {
        JsonObject event = new JsonObject().put("type", "member").put("channelId", channelId).put("userId", userId)
                .put("role", m.role().wire()).put("mutedUntil", m.mutedUntil() == null ? null : m.mutedUntil().toInstant().toString())
                .put("banned", m.banned()).put("member", m.inGoodStanding());
        publish(channelId, event.toBuffer(), new DeliveryOptions().addHeader("event", "member").addHeader("userId", String.valueOf(userId)));
    }

    @Override
    public void mention(long channelId, long seq, long senderId, java.util.List<Long> userIds) {
        JsonObject event = new JsonObject().put("type", "mention").put("channelId", channelId).put("seq", seq)
                .put("senderId", senderId).put("userIds", new io.vertx.core.json.JsonArray(userIds));
        eventBus.publish(Addresses.MENTIONS, event.toBuffer());
    }

    /** On the same cluster-wide address as mentions: both go to every socket of the users named, subscribed or not. */
    @Override
    public void added(long channelId, java.util.List<Long> userIds) {
        JsonObject event = new JsonObject().put("type", "added").put("channelId", channelId)
                .put("userIds", new io.vertx.core.json.JsonArray(userIds));
        eventBus.publish(Addresses.MENTIONS, event.toBuffer());
    }

    @Override
    public void access(long channelId, long userId) {
        JsonObject event = new JsonObject().put("type", "access").put("channelId", channelId).put("userId", userId);
        publish(channelId, event.toBuffer(), new DeliveryOptions().addHeader("event", "access").addHeader("userId", String.valueOf(userId)));
    }

    /** Someone is typing: not stored, at most one per user and channel per few seconds (the edge limits it). */
    public void typing(long channelId, long userId) {
        JsonObject event = new JsonObject().put("type", "typing").put("channelId", channelId).put("userId", userId);
        publish(channelId, event.toBuffer(), new DeliveryOptions().addHeader("event", "typing").addHeader("userId", String.valueOf(userId)));
    }

    private void publish(Message m, JsonObject event, String kind) {
        publish(m.channelId(), event.toBuffer(), options(m, kind));
    }

    private static DeliveryOptions options(Message m, String kind) {
        return new DeliveryOptions().addHeader("event", kind).addHeader("seq", String.valueOf(m.seq()));
    }

    public void publish(long channelId, Buffer event, DeliveryOptions options) {
        options.addHeader("channelId", String.valueOf(channelId)).addHeader("at", String.valueOf(System.currentTimeMillis()));
        if (mode == Mode.BROADCAST) {
            eventBus.publish(Addresses.FANOUT, event, options);
        }
        eventBus.publish(Addresses.channel(channelId), event, options);
    }
}
