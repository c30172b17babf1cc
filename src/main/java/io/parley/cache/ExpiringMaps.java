package io.parley.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import java.util.concurrent.ConcurrentMap;
import java.util.function.ToLongFunction;

/**
 * Bounded in-process maps whose values carry their own expiry ({@link System#nanoTime()} based): an
 * entry goes when it expires or when the map is full, so no sweep ever scans the map.
 */
final class ExpiringMaps {

    private ExpiringMaps() {
    }

    static <V> ConcurrentMap<String, V> create(int maxEntries, ToLongFunction<V> expiresAtNanos) {
        return Caffeine.newBuilder().maximumSize(maxEntries).expireAfter(new Expiry<String, V>() {
            @Override
            public long expireAfterCreate(String key, V v, long now) {
                return Math.max(0, expiresAtNanos.applyAsLong(v) - now);
            }

            @Override
            public long expireAfterUpdate(String key, V v, long now, long current) {
                return Math.max(0, expiresAtNanos.applyAsLong(v) - now);
            }

            @Override
            public long expireAfterRead(String key, V v, long now, long current) {
                return current;
            }
        }).<String, V>build().asMap();
    }
}
