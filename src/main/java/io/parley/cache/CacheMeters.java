package io.parley.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** parley.cache.requests{cache, result=hit|miss} for the three chat caches. */
record CacheMeters(Counter listHit, Counter listMiss, Counter pageHit, Counter pageMiss, Counter searchHit, Counter searchMiss) {

    static CacheMeters of(MeterRegistry registry) {
        MeterRegistry r = registry != null ? registry : new SimpleMeterRegistry();
        return new CacheMeters(counter(r, "channel-list", "hit"), counter(r, "channel-list", "miss"),
                counter(r, "message-page", "hit"), counter(r, "message-page", "miss"),
                counter(r, "search", "hit"), counter(r, "search", "miss"));
    }

    private static Counter counter(MeterRegistry registry, String cache, String result) {
        return Counter.builder("parley.cache.requests").description("Cache lookups by cache and result")
                .tag("cache", cache).tag("result", result).register(registry);
    }
}
