package io.parley.cache;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

@DisplayName("LocalChatCache: bounded, and no store scans the entries")
class LocalChatCacheTest {

    private static final Buffer PAGE = Buffer.buffer("{\"messages\":[]}");

    @Test
    @DisplayName("200,000 live pages: the cache stays within its bound and 10,000 more stores take under 2 s")
    void manyEntriesStayCheap() {
        // a TTL far longer than the test: nothing expires, so a sweep past the bound would find nothing to
        // drop and scan the whole map on every store
        LocalChatCache cache = new LocalChatCache(600, 600, 600, 1 << 20, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> store(cache, 0, 200_000), "storing 200,000 pages");
        long t0 = System.nanoTime();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> store(cache, 200_000, 210_000), "10,000 stores on a full cache");
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(tookMillis).as("10,000 stores on a full cache, in ms").isLessThan(2_000);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (cache.size() > LocalChatCache.MAX_ENTRIES && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(cache.size()).as("entries held").isLessThanOrEqualTo(LocalChatCache.MAX_ENTRIES);
    }

    @Test
    @DisplayName("a stored page is served until its channel changes")
    void stillCaches() {
        LocalChatCache cache = new LocalChatCache(600, 600, 600, 1 << 20, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        ChatCache.Lookup miss = cache.page(1, 7, "p").await();
        assertThat(miss.hit()).isFalse();
        cache.storePage(1, 7, miss, "p", PAGE).await();
        assertThat(cache.page(1, 7, "p").await().hit()).isTrue();
        cache.changed(java.util.List.of(1L), java.util.List.of(), java.util.List.of()).await();
        assertThat(cache.page(1, 7, "p").await().hit()).as("a change of the channel invalidates").isFalse();
    }

    @Test
    @DisplayName("a stored search is served until a channel it shows from is altered, also a room its user never joined; none is stored across an alteration")
    void searchesFollowAlterations() {
        LocalChatCache cache = new LocalChatCache(600, 600, 600, 1 << 20, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        Buffer found = Buffer.buffer("{\"results\":[]}");
        // user 7 is in channel 1 only; the search shows a message of room 9
        cache.storeList(7, cache.list(7).await(), java.util.List.of(1L), Buffer.buffer("{}")).await();
        ChatCache.Lookup miss = cache.search(7, "q").await();
        cache.storeSearch(7, miss, "q", java.util.List.of(9L), found).await();
        assertThat(cache.search(7, "q").await().hit()).isTrue();
        cache.altered(java.util.List.of(2L)).await();
        assertThat(cache.search(7, "q").await().hit()).as("another channel's edit leaves it").isTrue();
        cache.altered(java.util.List.of(9L)).await();
        assertThat(cache.search(7, "q").await().hit()).as("an edit in the room it shows from voids it").isFalse();

        ChatCache.Lookup before = cache.search(7, "q").await();
        cache.altered(java.util.List.of(3L)).await(); // a deletion lands while the search reads Postgres
        cache.storeSearch(7, before, "q", java.util.List.of(9L), found).await();
        assertThat(cache.search(7, "q").await().hit()).as("not stored across an alteration").isFalse();
    }

    private static void store(LocalChatCache cache, int from, int to) {
        for (int i = from; i < to; i++) {
            String params = "before=" + i;
            ChatCache.Lookup miss = cache.page(1, 7, params).await();
            cache.storePage(1, 7, miss, params, PAGE).await();
        }
    }
}
