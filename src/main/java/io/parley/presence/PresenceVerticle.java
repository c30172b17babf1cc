package io.parley.presence;

import io.parley.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * Presence of this node's users: counts each user's open sockets here and records a user online on the
 * first and offline after the last, publishing {@code parley.presence.changed}. This is node-local only:
 * a user connected on two nodes goes "offline" when either node loses its last socket, and nothing is
 * delivered to clients yet. Cluster-wide presence (shared hot state, heartbeats, coalesced events) is
 * the presence work that follows.
 */
public class PresenceVerticle extends VerticleBase {

    private final Map<Long, Integer> sockets = new HashMap<>();

    @Override
    public Future<?> start() {
        MessageConsumer<JsonObject> up = vertx.eventBus().localConsumer(Addresses.SOCKET_CONNECTED, m -> change(m, +1));
        MessageConsumer<JsonObject> down = vertx.eventBus().localConsumer(Addresses.SOCKET_DISCONNECTED, m -> change(m, -1));
        return Future.all(up.completion(), down.completion());
    }

    private void change(Message<JsonObject> msg, int delta) {
        long userId = msg.body().getLong("userId");
        int before = sockets.getOrDefault(userId, 0);
        int after = Math.max(0, before + delta);
        if (after == 0) {
            sockets.remove(userId);
        } else {
            sockets.put(userId, after);
        }
        if ((before == 0) != (after == 0)) {
            boolean online = after > 0;
            vertx.eventBus().request(Addresses.PRESENCE_SET, new JsonObject().put("userId", userId).put("online", online),
                    new DeliveryOptions().setLocalOnly(true));
            vertx.eventBus().publish(Addresses.PRESENCE_CHANGED, new JsonObject().put("type", "presence")
                    .put("userId", userId).put("online", online).put("lastSeenAt", java.time.Instant.now().toString()));
        }
    }
}
