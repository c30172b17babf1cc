package io.parley.chat;

import io.parley.support.Api;
import io.parley.support.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Searches per user and per client address and minute (limits.searchesPer*PerMinute), cluster-wide in Redis. */
@DisplayName("Search limits: per user and per address, 429 rate_limited with Retry-After")
class SearchLimitsTest {

    static TestNode node;
    static Api api;

    @BeforeAll
    static void start() {
        node = TestNode.start(SearchLimitsTest.class, json -> json.getJsonObject("limits")
                .put("searchesPerUserPerMinute", 3).put("searchesPerAddressPerMinute", 5));
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    @DisplayName("a user's 4th search in a minute is refused; then the address's: its 6th search, whoever makes it; a refused search does not count")
    void perUserThenPerAddress() {
        Api.User ann = api.signup("ann");
        Api.User ben = api.signup("ben");
        Api.User cat = api.guest("Cat");
        for (int i = 0; i < 3; i++) {
            assertThat(api.get("/search?q=word" + i, ann.token()).status()).isEqualTo(200);
        }
        Api.Resp refused = api.get("/search?q=another", ann.token());
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("rate_limited");
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(Integer.parseInt(refused.retryAfter())).isBetween(1, 60);
        assertThat(refused.json().getString("detail")).contains("searches");

        // the address has made 3 searches (the refused one gave its place back): 2 more, from anyone
        assertThat(api.get("/search?q=first", ben.token()).status()).isEqualTo(200);
        assertThat(api.get("/search?q=second", ben.token()).status()).isEqualTo(200);
        Api.Resp byAddress = api.get("/search?q=third", ben.token());
        assertThat(byAddress.status()).as(byAddress.body()).isEqualTo(429);
        assertThat(byAddress.json().getString("detail")).contains("address");
        assertThat(api.get("/search?q=fresh", cat.token()).status()).as("another user of the same address").isEqualTo(429);
        assertThat(api.get("/channels", cat.token()).status()).as("other requests are not limited").isEqualTo(200);
    }
}
