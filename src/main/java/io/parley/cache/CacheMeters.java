package io.parley.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** parley.cache.requests{cache, result=hit|miss}. */
final class CacheMeters {

    private CacheMeters() {
    }

    static Counter counter(MeterRegistry registry, String cache, String result) {
        return Counter.builder("parley.cache.requests").description("Cache lookups by cache and result")
                .tag("cache", cache).tag("result", result).register(registry != null ? registry : new SimpleMeterRegistry());
    }
}
