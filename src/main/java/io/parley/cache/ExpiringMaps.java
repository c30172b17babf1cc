package io.parley.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import java.util.concurrent.ConcurrentMap;
import java.util.function.ToLongFunction;

/**
 * Bounded in-process maps whose values carry their own expiry ({@link System#nanoTime()} based): an
 * entry goes when it expires or when the map is full, so no sweep ever scans the map.
 */
public final class ExpiringMaps {

    private ExpiringMaps() {
    }

    public static <K, V> ConcurrentMap<K, V> create(int maxEntries, ToLongFunction<V> expiresAtNanos) {
        return Caffeine.newBuilder().maximumSize(maxEntries).expireAfter(new Expiry<K, V>() {
            @Override
            public long expireAfterCreate(K key, V v, long now) {
                return Math.max(0, expiresAtNanos.applyAsLong(v) - now);
            }

            @Override
            public long expireAfterUpdate(K key, V v, long now, long current) {
                return Math.max(0, expiresAtNanos.applyAsLong(v) - now);
            }

            @Override
            public long expireAfterRead(K key, V v, long now, long current) {
                return current;
            }
        }).<K, V>build().asMap();
    }
}
