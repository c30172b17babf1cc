package io.parley.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.parley.redis.NodeRedis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Redis-backed cache. Each call is bounded by {@code timeoutMs}; a failure marks the cache down (reported
 * by {@link #status()}) and answers like a miss. The next successful call marks it up again.
 */
public final class RedisCache implements Cache {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCache.class);

    /**
     * The node's client. Counters wait its background timeout, longer than reads: a count that times out
     * falls back to the in-process one, which has not seen the other nodes' counts, so a limit would
     * briefly hold per node instead of once.
     */
    private final NodeRedis redis;
    private volatile boolean up = true;
    /** Counters and buckets while Redis is down: limits keep holding, per node, instead of opening. */
    private final LocalCounters fallback = new LocalCounters(100_000);
    /** After a failure, counters go straight to the fallback until then (System.nanoTime), not each waiting the timeout. */
    private volatile long localUntilNanos = System.nanoTime();

    /**
     * INCRBY and the window's expiry in one step (the window starts at the first add); never below 0.
     * Answers {count, milliseconds left}.
     */
    private static final String WINDOW_SCRIPT = """
            local n = redis.call('INCRBY', KEYS[1], ARGV[1])
            if n < 0 then redis.call('SET', KEYS[1], 0, 'KEEPTTL'); n = 0 end
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
            return {n, ttl}
            """;

    /**
     * Token buckets on Redis' clock: takes ARGV[2+i] tokens from KEYS[i] (into debt if need be) and answers,
     * per key, 0 when it had enough, else the milliseconds until it is out of debt.
     */
    private static final String BUCKETS_SCRIPT = """
            local rate = tonumber(ARGV[1]) / 1000
            local burst = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local out = {}
            for i, key in ipairs(KEYS) do
              local b = redis.call('HMGET', key, 'tokens', 'at')
              local tokens = tonumber(b[1])
              local at = tonumber(b[2])
              if tokens == nil or at == nil then tokens = burst; at = now end
              tokens = math.min(burst, tokens + math.max(0, now - at) * rate) - tonumber(ARGV[2 + i])
              local wait = 0
              if tokens < 0 then wait = math.ceil(-tokens / rate) end
              redis.call('HSET', key, 'tokens', tostring(tokens), 'at', now)
              redis.call('PEXPIRE', key, math.ceil((burst - tokens) / rate) + 1000)
              out[i] = wait
            end
            return out
            """;

    /** Adds ARGV[2..] to the sorted set KEYS[1] scored by Redis' clock (ms), trims entries older than ARGV[1] ms. */
    private static final String RECORD_ADD_SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now, ARGV[i]) end
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return now
            """;

    /** Redis' clock, then members and scores of KEYS[1] from score ARGV[1], at most ARGV[2] of them. */
    private static final String RECORD_SINCE_SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            return {now, redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf', 'WITHSCORES', 'LIMIT', 0, ARGV[2])}
            """;

    /** Keys are prefixed so that deployments (and test schemas) sharing one Redis never share a key. */
    private final String prefix;

    /** The node's shared cache over its one Redis client. */
    public RedisCache(NodeRedis redis) {
        this.redis = redis;
        this.prefix = redis.prefix();
    }

    private Future<Response> call(Request request) {
        return guard(redis.send(request));
    }

    /** Counters wait the background timeout: see {@link NodeRedis}. */
    private Future<Response> count(Request request) {
        return guard(redis.sendInBackground(request));
    }

    private static Request eval(List<String> args) {
        Request r = Request.cmd(Command.EVAL);
        args.forEach(r::arg);
        return r;
    }

    /** Answers when Redis answers a PING (or fails); the node starts either way. */
    public Future<Void> ping() {
        return call(Request.cmd(Command.PING)).mapEmpty();
    }

    @Override
    public Future<String> get(String key) {
        return call(Request.cmd(Command.GET).arg(prefix + key)).map(r -> r == null ? null : r.toString()).otherwise((String) null);
    }

    @Override
    public Future<Void> set(String key, String value, int ttlSeconds) {
        return call(Request.cmd(Command.SETEX).arg(prefix + key).arg(ttlSeconds).arg(value)).<Void>mapEmpty().otherwiseEmpty();
    }

    @Override
    public Future<Void> delete(String key) {
        fallback.remove(key);
        return call(Request.cmd(Command.DEL).arg(prefix + key)).<Void>mapEmpty().otherwiseEmpty();
    }

    @Override
    public Future<Window> add(String key, long delta, long windowMillis) {
        if (System.nanoTime() - localUntilNanos < 0) {
            return Future.succeededFuture(fallback.add(key, delta, windowMillis));
        }
        return count(eval(List.of(WINDOW_SCRIPT, "1", prefix + key, String.valueOf(delta), String.valueOf(windowMillis))))
                .map(r -> new Window(r.get(0).toLong(), Math.max(1, r.get(1).toLong())))
                .otherwise(t -> fallback.add(key, delta, windowMillis));
    }

    @Override
    public Future<Map<String, Long>> takeAll(Map<String, Integer> counts, int ratePerSecond, int burst) {
        if (counts.isEmpty() || System.nanoTime() - localUntilNanos < 0) {
            return Future.succeededFuture(fallback.takeAll(counts, ratePerSecond, burst));
        }
        List<String> keys = List.copyOf(counts.keySet());
        List<String> args = new ArrayList<>(3 + 2 * keys.size());
        args.add(BUCKETS_SCRIPT);
        args.add(String.valueOf(keys.size()));
        keys.forEach(k -> args.add(prefix + k));
        args.add(String.valueOf(ratePerSecond));
        args.add(String.valueOf(burst));
        keys.forEach(k -> args.add(String.valueOf(counts.get(k))));
        return count(eval(args)).map(r -> {
            Map<String, Long> waits = new HashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                waits.put(keys.get(i), r.get(i).toLong());
            }
            return waits;
        }).otherwise(t -> fallback.takeAll(counts, ratePerSecond, burst));
    }

    @Override
    public Future<Void> recordAdd(String key, Collection<String> members, long retainMillis) {
        List<String> args = new ArrayList<>(4 + members.size());
        args.add(RECORD_ADD_SCRIPT);
        args.add("1");
        args.add(prefix + key);
        args.add(String.valueOf(retainMillis));
        args.addAll(members);
        return count(eval(args)).mapEmpty();
    }

    @Override
    public Future<Records> recordSince(String key, long sinceMillis, int max) {
        return count(eval(List.of(RECORD_SINCE_SCRIPT, "1", prefix + key, String.valueOf(sinceMillis), String.valueOf(max))))
                .map(r -> {
                    Response flat = r.get(1);
                    List<Map.Entry<String, Long>> entries = new ArrayList<>(flat.size() / 2);
                    for (int i = 0; i + 1 < flat.size(); i += 2) {
                        entries.add(Map.entry(flat.get(i).toString(), (long) Double.parseDouble(flat.get(i + 1).toString())));
                    }
                    return new Records(entries, r.get(0).toLong());
                });
    }

    /** Notes whether Redis answered: after a failure, counters use the in-process fallback for a second. */
    private <T> Future<T> guard(Future<T> f) {
        return f.andThen(ar -> {
            if (ar.succeeded() && !up) {
                up = true;
                LOG.info("Redis is reachable again; cache resumed");
            } else if (ar.failed()) {
                localUntilNanos = System.nanoTime() + 1_000_000_000L;
            }
            if (ar.failed() && up) {
                up = false;
                LOG.warn("Redis is unreachable ({}); serving without the cache", ar.cause().toString());
            }
        });
    }

    @Override
    public Future<Long> usedMemory() {
        return call(Request.cmd(Command.INFO).arg("memory")).map(r -> {
            for (String line : r.toString().split("\r?\n")) {
                if (line.startsWith("used_memory:")) {
                    return Long.parseLong(line.substring("used_memory:".length()).strip());
                }
            }
            return (Long) null;
        }).otherwise((Long) null);
    }

    @Override
    public Future<String> check() {
        return ping().map("up").otherwise("down");
    }

    @Override
    public String status() {
        return up ? "up" : "down";
    }

    @Override
    public Future<Void> close() {
        fallback.clear(); // the client is the node's: closed once, when the node stops
        return Future.succeededFuture();
    }
}
