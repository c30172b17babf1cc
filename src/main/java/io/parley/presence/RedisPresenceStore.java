package io.parley.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.parley.redis.NodeRedis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Presence in Redis. Keys: {@code presence:conns:<user>} (sorted set: connection id → expiry millis),
 * {@code presence:seen} (hash: user → last seen millis, drained by the flush job) and
 * {@code presence:announced:<user>} (the last state announced). Connect and disconnect are Lua scripts
 * so that "count after" is atomic; heartbeats go in one pipelined batch per node.
 */
public final class RedisPresenceStore implements PresenceStore {

    private static final String CONNECT = "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) "
            + "redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3]) redis.call('PEXPIRE', KEYS[1], ARGV[4]) "
            + "redis.call('HSET', KEYS[2], ARGV[5], ARGV[1]) redis.call('HSET', KEYS[3], ARGV[5], ARGV[1]) "
            + "return redis.call('ZCARD', KEYS[1])";
    private static final String DISCONNECT = "redis.call('ZREM', KEYS[1], ARGV[2]) "
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) "
            + "redis.call('HSET', KEYS[2], ARGV[3], ARGV[1]) redis.call('HSET', KEYS[3], ARGV[3], ARGV[1]) "
            + "return redis.call('ZCARD', KEYS[1])";
    private final String seenKey;
    private final String seenAllKey;
    private final String prefix;

    /** The node's client; presence is background work (see {@link NodeRedis}'s timeout policy). */
    private final NodeRedis redis;

    public RedisPresenceStore(NodeRedis redis) {
        this.redis = redis;
        String prefix = redis.prefix();
        this.prefix = prefix;
        this.seenKey = prefix + "presence:seen";
        this.seenAllKey = prefix + "presence:seen:all";
    }

    private String conns(long userId) {
        return prefix + "presence:conns:" + userId;
    }

    private Future<Response> send(Request r) {
        return redis.sendInBackground(r);
    }

    @Override
    public Future<Integer> connect(long userId, String connId, long ttlMillis) {
        long now = System.currentTimeMillis();
        return send(Request.cmd(Command.EVAL).arg(CONNECT).arg(3).arg(conns(userId)).arg(seenKey).arg(seenAllKey)
                .arg(now).arg(now + ttlMillis).arg(connId).arg(ttlMillis * 2).arg(userId)).map(Response::toInteger);
    }

    @Override
    public Future<Integer> disconnect(long userId, String connId) {
        long now = System.currentTimeMillis();
        return send(Request.cmd(Command.EVAL).arg(DISCONNECT).arg(3).arg(conns(userId)).arg(seenKey).arg(seenAllKey)
                .arg(now).arg(connId).arg(userId)).map(Response::toInteger);
    }

    @Override
    public Future<Void> heartbeat(Map<Long, List<String>> connections, long ttlMillis) {
        if (connections.isEmpty()) {
            return Future.succeededFuture();
        }
        long now = System.currentTimeMillis();
        List<Request> batch = new ArrayList<>();
        Request seen = Request.cmd(Command.HSET).arg(seenKey);
        Request seenAll = Request.cmd(Command.HSET).arg(seenAllKey);
        connections.forEach((userId, ids) -> {
            Request zadd = Request.cmd(Command.ZADD).arg(conns(userId));
            ids.forEach(id -> zadd.arg(now + ttlMillis).arg(id));
            batch.add(zadd);
            batch.add(Request.cmd(Command.PEXPIRE).arg(conns(userId)).arg(ttlMillis * 2));
            seen.arg(userId).arg(now);
            seenAll.arg(userId).arg(now);
        });
        batch.add(seen);
        batch.add(seenAll);
        return redis.batchInBackground(batch).mapEmpty();
    }

    @Override
    public Future<Map<Long, Status>> status(List<Long> userIds) {
        if (userIds.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        long now = System.currentTimeMillis();
        List<Request> batch = new ArrayList<>();
        for (long id : userIds) {
            batch.add(Request.cmd(Command.ZCOUNT).arg(conns(id)).arg("(" + now).arg("+inf"));
        }
        Request seen = Request.cmd(Command.HMGET).arg(seenAllKey);
        userIds.forEach(seen::arg);
        batch.add(seen);
        return redis.batchInBackground(batch).map(rs -> {
            Map<Long, Status> out = new HashMap<>();
            Response seenTimes = rs.get(userIds.size());
            for (int i = 0; i < userIds.size(); i++) {
                Response s = seenTimes.get(i);
                out.put(userIds.get(i), new Status(rs.get(i).toInteger() > 0, s == null ? 0 : s.toLong()));
            }
            return out;
        });
    }

    @Override
    public Future<Boolean> announce(long userId, boolean online) {
        String state = online ? "online" : "offline";
        return send(Request.cmd(Command.SET).arg(prefix + "presence:announced:" + userId).arg(state).arg("EX").arg(7 * 86400).arg("GET"))
                .map(old -> old == null ? online : !state.equals(old.toString()));
    }

    @Override
    public Future<Map<Long, Long>> drainLastSeen() {
        String taken = prefix + "presence:seen:flush:" + UUID.randomUUID();
        // RENAME moves the hash atomically: updates after it start a fresh one and wait for the next flush
        return send(Request.cmd(Command.RENAME).arg(seenKey).arg(taken))
                .compose(r -> send(Request.cmd(Command.HGETALL).arg(taken)))
                .compose(all -> send(Request.cmd(Command.DEL).arg(taken)).map(d -> {
                    Map<Long, Long> out = new HashMap<>();
                    for (String k : all.getKeys()) {
                        out.put(Long.parseLong(k), all.get(k).toLong());
                    }
                    return out;
                }))
                .recover(t -> String.valueOf(t.getMessage()).contains("no such key")
                        ? Future.succeededFuture(Map.of()) : Future.failedFuture(t));
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture(); // the client is the node's: closed once, when the node stops
    }
}
