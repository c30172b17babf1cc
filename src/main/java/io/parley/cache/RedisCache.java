package io.parley.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis-backed cache. Each call is bounded by {@code timeoutMs}; a failure marks the cache down (reported
 * by {@link #status()}) and answers like a miss. The next successful call marks it up again.
 */
public final class RedisCache implements Cache {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCache.class);

    private final Redis client;
    private final RedisAPI api;
    private final long timeoutMs;
    private volatile boolean up = true;

    /** Keys are prefixed so that deployments (and test schemas) sharing one Redis never share a key. */
    private final String prefix;

    public RedisCache(Vertx vertx, String url, int timeoutMs, String prefix) {
        this.prefix = prefix;
        this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url)
                .setMaxPoolSize(8).setMaxPoolWaiting(256).setPoolRecycleTimeout(15_000));
        this.api = RedisAPI.api(client);
        this.timeoutMs = timeoutMs;
    }

    /** Answers when Redis answers a PING (or fails); the node starts either way. */
    public Future<Void> ping() {
        return guard(api.ping(List.of())).mapEmpty();
    }

    @Override
    public Future<String> get(String key) {
        return guard(api.get(prefix + key)).map(r -> r == null ? null : r.toString()).otherwise((String) null);
    }

    @Override
    public Future<Void> set(String key, String value, int ttlSeconds) {
        return guard(api.setex(prefix + key, String.valueOf(ttlSeconds), value)).<Void>mapEmpty().otherwiseEmpty();
    }

    @Override
    public Future<Void> delete(String key) {
        return guard(api.del(List.of(prefix + key))).<Void>mapEmpty().otherwiseEmpty();
    }

    @Override
    public Future<Long> increment(String key, int ttlSeconds) {
        // SET NX EX creates the window only once; INCR then counts inside it.
        return guard(api.set(List.of(prefix + key, "0", "NX", "EX", String.valueOf(ttlSeconds))))
                .compose(r -> guard(api.incr(prefix + key)))
                .map(Response::toLong)
                .otherwise(0L);
    }

    private <T> Future<T> guard(Future<T> f) {
        return f.timeout(timeoutMs, TimeUnit.MILLISECONDS).andThen(ar -> {
            if (ar.succeeded() && !up) {
                up = true;
                LOG.info("Redis is reachable again; cache resumed");
            } else if (ar.failed() && up) {
                up = false;
                LOG.warn("Redis is unreachable ({}); serving without the cache", ar.cause().toString());
            }
        });
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
        client.close();
        return Future.succeededFuture();
    }
}
