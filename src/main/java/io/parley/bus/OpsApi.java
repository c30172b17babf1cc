package io.parley.bus;

import io.parley.domain.PresenceStatus;
import io.parley.domain.Expired;
import io.parley.domain.Purged;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * What the node's own background work asks of the services verticle, which owns the database pool:
 * presence records, job leases, retention, health and the slow-query list. Served node-locally at
 * {@link Addresses#OPS}.
 */
public interface OpsApi {

    /** userId → the private and direct channels the user is in. */
    Future<Map<Long, List<Long>>> presenceChannels(List<Long> userIds);

    Future<Void> updatePresence(List<Long> userIds, List<Boolean> online);

    Future<Void> updateLastSeen(List<Long> userIds, List<Long> millis);

    Future<List<Long>> onlineUsers(int limit);

    /** Of {@code userIds}, those who share an active channel with {@code callerId} (and the caller). */
    Future<List<Long>> presenceVisible(long callerId, List<Long> userIds);

    /** The database's view of presence, for when the hot state (Redis) is unavailable. */
    Future<List<PresenceStatus>> presenceFallback(List<Long> userIds);

    /** True when this node won the run of {@code name} for the current interval. */
    Future<Boolean> claimJob(String name, int intervalSeconds, int leaseSeconds, String node);

    Future<Void> jobDone(String name, long durationMs, String result);

    /** Deletes expired sessions and guests. */
    Future<Purged> purge();

    /** Deletes messages past their channel's retention (a bounded amount per call) and drops their cached pages. */
    Future<Expired> expire();

    /** {@code db} and {@code redis}: "up" or "down". */
    Future<Health> health();

    /** The slowest recent queries and Redis's memory, for /admin/perf: {@code {slowQueries, thresholdMs, queryCount, redisUsedMemory}}. */
    Future<JsonObject> slowQueries();

    record Health(String db, String redis) {
        public boolean up() {
            return "up".equals(db) && "up".equals(redis);
        }
    }

    /** The node-local client; a call may take {@code timeoutMillis} (a purge of a large database takes a while). */
    static OpsApi client(EventBus bus, long timeoutMillis) {
        return new OpsApi() {
            private <T> Future<T> call(Local.Call<OpsApi, T> c) {
                return Local.call(bus, Addresses.OPS, c, timeoutMillis);
            }

            @Override
            public Future<Map<Long, List<Long>>> presenceChannels(List<Long> userIds) {
                return call(a -> a.presenceChannels(userIds));
            }

            @Override
            public Future<Void> updatePresence(List<Long> userIds, List<Boolean> online) {
                return call(a -> a.updatePresence(userIds, online));
            }

            @Override
            public Future<Void> updateLastSeen(List<Long> userIds, List<Long> millis) {
                return call(a -> a.updateLastSeen(userIds, millis));
            }

            @Override
            public Future<List<Long>> onlineUsers(int limit) {
                return call(a -> a.onlineUsers(limit));
            }

            @Override
            public Future<List<Long>> presenceVisible(long callerId, List<Long> userIds) {
                return call(a -> a.presenceVisible(callerId, userIds));
            }

            @Override
            public Future<List<PresenceStatus>> presenceFallback(List<Long> userIds) {
                return call(a -> a.presenceFallback(userIds));
            }

            @Override
            public Future<Boolean> claimJob(String name, int intervalSeconds, int leaseSeconds, String node) {
                return call(a -> a.claimJob(name, intervalSeconds, leaseSeconds, node));
            }

            @Override
            public Future<Void> jobDone(String name, long durationMs, String result) {
                return call(a -> a.jobDone(name, durationMs, result));
            }

            @Override
            public Future<Purged> purge() {
                return call(OpsApi::purge);
            }

            @Override
            public Future<Expired> expire() {
                return call(OpsApi::expire);
            }

            @Override
            public Future<Health> health() {
                return call(OpsApi::health);
            }

            @Override
            public Future<JsonObject> slowQueries() {
                return call(OpsApi::slowQueries);
            }
        };
    }

    /** Serves {@code impl} at this interface's address for the calling verticle instance. */
    static Local.Served serve(EventBus bus, OpsApi impl) {
        return Local.serve(bus, Addresses.OPS, impl);
    }
}
