package io.parley.persistence;

import io.parley.domain.PresenceStatus;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;

/** What presence keeps in Postgres: batched online flags and last-seen times, and who may see whom. */
public interface PresenceRecords {

    /** userId → the private and direct channels the user is in. */
    Future<Map<Long, List<Long>>> presenceChannels(List<Long> userIds);

    Future<Void> updatePresence(List<Long> userIds, List<Boolean> online);

    Future<Void> updateLastSeen(List<Long> userIds, List<Long> millis);

    Future<List<Long>> onlineUsers(int limit);

    /** Of {@code userIds}, those who share an active channel with {@code callerId} (and the caller), in one query. */
    Future<List<Long>> presenceVisible(long callerId, List<Long> userIds);

    /** Postgres' view of presence, for when the hot state (Redis) is unavailable. */
    Future<List<PresenceStatus>> presenceFallback(List<Long> userIds);
}
