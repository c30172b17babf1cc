package io.parley.persistence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** What presence and the background jobs keep in Postgres: batched presence writes and job leases. */
public interface OpsStore {

    /** userId → the private and direct channels the user is in. */
    Future<Map<Long, List<Long>>> presenceChannels(List<Long> userIds);

    Future<Void> updatePresence(List<Long> userIds, List<Boolean> online);

    Future<Void> updateLastSeen(List<Long> userIds, List<Long> millis);

    Future<List<Long>> onlineUsers(int limit);

    /** Of {@code userIds}, those who share an active channel with {@code callerId} (and the caller), in one query. */
    Future<List<Long>> presenceVisible(long callerId, List<Long> userIds);

    /** Postgres' view of presence, for when the hot state (Redis) is unavailable. */
    Future<JsonArray> presenceFallback(List<Long> userIds);

    /** True when this node won the run of {@code name} for the current interval. */
    Future<Boolean> claimJob(String name, int intervalSeconds, int leaseSeconds, String node);

    Future<Void> jobDone(String name, long durationMs, String result);

    /** Deletes expired sessions and guests; answers the counts. */
    Future<JsonObject> purge();
}
