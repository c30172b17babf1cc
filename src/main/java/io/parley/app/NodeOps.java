package io.parley.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.cache.ChatCache;
import io.parley.domain.Expired;

import io.parley.bus.OpsApi;
import io.parley.cache.Cache;
import io.parley.domain.PresenceStatus;
import io.parley.domain.Purged;
import io.parley.persistence.Db;
import io.parley.persistence.JobStore;
import io.parley.persistence.PresenceRecords;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.Map;

/** {@link OpsApi} over this instance's stores: what the presence verticle, the jobs and /health ask of the database. */
final class NodeOps implements OpsApi {

    private final PresenceRecords presence;
    private final JobStore jobs;
    private final Db db;
    private final Cache cache;
    private final int slowQueryMs;
    private final ChatCache chatCache;
    private final Counter expiredMessages;

    /** Messages one retention statement deletes, and one run at most (the rest waits for the next run). */
    static final int RETENTION_BATCH = 1_000;
    static final int RETENTION_BUDGET = 20_000;

    NodeOps(PresenceRecords presence, JobStore jobs, Db db, Cache cache, int slowQueryMs, ChatCache chatCache, MeterRegistry registry) {
        this.presence = presence;
        this.jobs = jobs;
        this.db = db;
        this.cache = cache;
        this.slowQueryMs = slowQueryMs;
        this.chatCache = chatCache;
        this.expiredMessages = Counter.builder("parley.retention.deleted").description("Messages deleted past their channel's retention")
                .register(registry);
    }

    /** Deletes what is past retention, then drops the cached pages, lists and searches that showed it. */
    @Override
    public Future<Expired> expire() {
        return jobs.expire(RETENTION_BATCH, RETENTION_BUDGET).compose(e -> {
            expiredMessages.increment(e.messages());
            return e.channels().isEmpty() ? Future.succeededFuture(e)
                    : chatCache.altered(e.channels()).map(e);
        });
    }

    @Override
    public Future<Map<Long, List<Long>>> presenceChannels(List<Long> userIds) {
        return presence.presenceChannels(userIds);
    }

    @Override
    public Future<Void> updatePresence(List<Long> userIds, List<Boolean> online) {
        return presence.updatePresence(userIds, online);
    }

    @Override
    public Future<Void> updateLastSeen(List<Long> userIds, List<Long> millis) {
        return presence.updateLastSeen(userIds, millis);
    }

    @Override
    public Future<List<Long>> onlineUsers(int limit) {
        return presence.onlineUsers(limit);
    }

    @Override
    public Future<List<Long>> presenceVisible(long callerId, List<Long> userIds) {
        return presence.presenceVisible(callerId, userIds);
    }

    @Override
    public Future<List<PresenceStatus>> presenceFallback(List<Long> userIds) {
        return presence.presenceFallback(userIds);
    }

    @Override
    public Future<Boolean> claimJob(String name, int intervalSeconds, int leaseSeconds, String node) {
        return jobs.claimJob(name, intervalSeconds, leaseSeconds, node);
    }

    @Override
    public Future<Void> jobDone(String name, long durationMs, String result) {
        return jobs.jobDone(name, durationMs, result);
    }

    @Override
    public Future<Purged> purge() {
        return jobs.purge();
    }

    @Override
    public Future<Health> health() {
        return db.query("SELECT 1", Tuple.tuple()).map(r -> "up").otherwise("down")
                .compose(dbStatus -> cache.check().map(redis -> new Health(dbStatus, redis)));
    }

    @Override
    public Future<JsonObject> slowQueries() {
        return cache.usedMemory().map(redis -> new JsonObject().put("slowQueries", db.slowQueries()).put("thresholdMs", slowQueryMs)
                .put("queryCount", db.queryCount()).put("redisUsedMemory", redis));
    }
}
