package io.parley.app;

import io.parley.cache.Cache;
import io.parley.cache.ChatCache;
import io.parley.cache.LocalCache;
import io.parley.cache.LocalChatCache;
import io.parley.cache.RedisCache;
import io.parley.cache.RedisChatCache;
import io.parley.config.ParleyConfig;
import io.parley.metrics.Metrics;
import io.parley.redis.NodeRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * What the verticles of one node share, made once by {@link Main} before they deploy and handed to each:
 * the node's one Redis client (null when Redis is not configured), the shared cache (counters, limits,
 * the revocation record) and the chat cache (channel lists, pages, searches) over it, or their
 * in-process stand-ins. Closed once, after every verticle has stopped.
 */
record NodeResources(NodeRedis redis, Cache cache, ChatCache chatCache) {

    static NodeResources create(Vertx vertx, ParleyConfig config) {
        NodeRedis redis = config.redis().url().isEmpty() ? null : NodeRedis.create(vertx, config);
        Cache cache = redis == null ? LocalCache.shared(vertx) : new RedisCache(redis);
        return new NodeResources(redis, cache, chatCache(vertx, config, redis));
    }

    private static ChatCache chatCache(Vertx vertx, ParleyConfig config, NodeRedis redis) {
        ParleyConfig.Cache c = config.cache();
        if (!c.enabled()) {
            return ChatCache.NONE;
        }
        return redis != null
                ? new RedisChatCache(vertx, redis, c.channelListTtlSeconds(), c.pageTtlSeconds(), c.searchTtlSeconds(), c.gzipOverBytes(),
                Metrics.registry(vertx))
                : new LocalChatCache(c.channelListTtlSeconds(), c.pageTtlSeconds(), c.searchTtlSeconds(), c.gzipOverBytes(),
                Metrics.registry(vertx));
    }

    /** After the verticles: the shared cache's in-process fallback, then the Redis pool. */
    Future<Void> close() {
        return cache.close().eventually(() -> redis == null ? Future.succeededFuture() : redis.close());
    }
}
