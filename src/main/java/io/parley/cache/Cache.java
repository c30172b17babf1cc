package io.parley.cache;

import io.vertx.core.Future;

/**
 * The shared cache: Redis in a cluster, in-process on a single node. Every operation is best effort:
 * it never fails (a broken cache answers "miss" / does nothing) and never waits longer than the
 * configured timeout, so no request fails because of the cache.
 */
public interface Cache {

    Future<String> get(String key);

    Future<Void> set(String key, String value, int ttlSeconds);

    Future<Void> delete(String key);

    /** Increments a counter that expires {@code ttlSeconds} after it was created; answers the new value (0 if down). */
    Future<Long> increment(String key, int ttlSeconds);

    /** "up", "down" or "local". */
    String status();

    /** Asks the backend now (bounded by the timeout): "up", "down" or "local". */
    default Future<String> check() {
        return Future.succeededFuture(status());
    }

    Future<Void> close();
}
