package io.parley.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** parley.cache.requests{cache, result=hit|miss} for the three chat caches. */
record CacheMeters(Counter listHit, Counter listMiss, Counter pageHit, Counter pageMiss, Counter searchHit, Counter searchMiss) {

    static CacheMeters of(MeterRegistry registry) {
        return new CacheMeters(counter(registry, "channel-list", "hit"), counter(registry, "channel-list", "miss"),
                counter(registry, "message-page", "hit"), counter(registry, "message-page", "miss"),
                counter(registry, "search", "hit"), counter(registry, "search", "miss"));
    }

    private static Counter counter(MeterRegistry registry, String cache, String result) {
        return Counter.builder("parley.cache.requests").description("Cache lookups by cache and result")
                .tag("cache", cache).tag("result", result).register(registry);
    }
}
