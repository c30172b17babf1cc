package io.parley.redis;

import io.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The node's one Redis client: one connection pool for every verticle of the node, one timeout policy,
 * closed once when the node stops (after its verticles). The client answers each caller on the caller's
 * own event loop, so verticles on different loops share it safely.
 *
 * <p>The timeout policy: a request on a client's path (a cached read, a send limit, an admission check)
 * waits at most {@code redis.timeoutMs} and then falls back (a miss, an in-process counter); background
 * work that no client waits for (presence heartbeats, the revocation record, memory samples, counters
 * whose early fallback would loosen a cluster-wide limit) waits {@link #backgroundTimeoutMs()}, four
 * times as long and at least a second.
 */
public final class NodeRedis {

    private final Redis client;
    private final String prefix;
    private final long timeoutMs;
    private final long backgroundTimeoutMs;
    private final int poolSize;
    private Future<Void> closed;

    private NodeRedis(Redis client, String prefix, long timeoutMs, int poolSize) {
        this.client = client;
        this.prefix = prefix;
        this.timeoutMs = timeoutMs;
        this.backgroundTimeoutMs = Math.max(1_000, 4 * timeoutMs);
        this.poolSize = poolSize;
    }

    /** The node's client for {@code redis.url}; connections open on first use. */
    public static NodeRedis create(Vertx vertx, ParleyConfig config) {
        ParleyConfig.Redis r = config.redis();
        Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(r.url())
                .setMaxPoolSize(r.poolSize()).setMaxPoolWaiting(4096).setPoolRecycleTimeout(15_000));
        return new NodeRedis(client, config.redisPrefix(), r.timeoutMs(), r.poolSize());
    }

    /** Every key of this deployment starts with it ("parley:" and the schema, when one is set). */
    public String prefix() {
        return prefix;
    }

    public long timeoutMs() {
        return timeoutMs;
    }

    public long backgroundTimeoutMs() {
        return backgroundTimeoutMs;
    }

    /** Connections this node may open at most. */
    public int poolSize() {
        return poolSize;
    }

    /** A request on a client's path, bounded by {@code redis.timeoutMs}. */
    public Future<Response> send(Request request) {
        return client.send(request).timeout(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Requests in one round trip, bounded by {@code redis.timeoutMs}. */
    public Future<List<Response>> batch(List<Request> requests) {
        return client.batch(requests).timeout(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Background work, bounded by {@link #backgroundTimeoutMs()}. */
    public Future<Response> sendInBackground(Request request) {
        return client.send(request).timeout(backgroundTimeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Background work in one round trip, bounded by {@link #backgroundTimeoutMs()}. */
    public Future<List<Response>> batchInBackground(List<Request> requests) {
        return client.batch(requests).timeout(backgroundTimeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Closes the pool; later calls answer the first one's future. */
    public synchronized Future<Void> close() {
        if (closed == null) {
            closed = client.close();
        }
        return closed;
    }
}
