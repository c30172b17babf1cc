package io.parley.presence;

import io.vertx.core.Future;

import java.util.List;
import java.util.Map;

/**
 * The hot presence state shared by all nodes: each user's live connections with their expiry, the last
 * time each user was seen, and the last presence state announced for each user. Redis in a cluster,
 * in-process on a single node.
 */
public interface PresenceStore {

    /** Online or not, and the last time seen (epoch millis, 0 if never). */
    record Status(boolean online, long lastSeenMillis) {
    }

    /** Adds a live connection; answers the user's live connection count after it. */
    Future<Integer> connect(long userId, String connId, long ttlMillis);

    /** Removes a connection and records the user as seen now; answers the live count after it. */
    Future<Integer> disconnect(long userId, String connId);

    /** Extends the given connections (userId → connIds) by ttl and records their users as seen now. */
    Future<Void> heartbeat(Map<Long, List<String>> connections, long ttlMillis);

    Future<Map<Long, Status>> status(List<Long> userIds);

    /** Records {@code online} as the announced state; true when it differs from what was announced before. */
    Future<Boolean> announce(long userId, boolean online);

    /** Takes the last-seen times recorded since the previous drain (for the batch flush to Postgres). */
    Future<Map<Long, Long>> drainLastSeen();

    Future<Void> close();
}
