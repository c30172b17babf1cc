package io.parley.chat;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A search reads a bounded number of messages whatever the data (issue 22): the newest search.scanRows
 * (300 here) and at most search.candidates (100) index matches. A room of 3,000 messages: "fox" in every
 * third of the newest 1,500 (500), "old" in each of the oldest 1,500, "needle" in the oldest 5.
 */
@DisplayName("Search reads a bounded number of messages and says when it stopped")
class SearchBoundsTest {

    static final int SCAN_ROWS = 300;
    static final int CANDIDATES = 100;
    static final int MESSAGES = 3000;
    static TestNode node;
    static Api api;
    static Api.User reader;
    static long room;

    @BeforeAll
    static void start() {
        node = TestNode.start(SearchBoundsTest.class, json -> json.getJsonObject("search")
                .put("scanRows", SCAN_ROWS).put("candidates", CANDIDATES));
        api = node.api;
        Api.User writer = api.signup("writer");
        reader = api.guest("Reader"); // a guest: rooms are searched without joining
        room = api.get("/lounges/general", writer.token()).json().getJsonArray("rooms").stream().map(o -> (JsonObject) o)
                .filter(r -> "en".equals(r.getString("language"))).findFirst().orElseThrow().getLong("id");
        Pool pool = node.pool();
        try {
            pool.preparedQuery("INSERT INTO messages (channel_id, seq, sender_id, client_msg_id, body, search_config, created_at)"
                    + " SELECT $1, s, $2, 'b' || s, CASE WHEN s <= 5 THEN 'a needle in the old story ' || s"
                    + "   WHEN s <= 1500 THEN 'an old story number ' || s WHEN s % 3 = 0 THEN 'the fox number ' || s"
                    + "   ELSE 'plain chat number ' || s END, 'pg_catalog.english', now() - ($3 - s) * interval '1 second'"
                    + " FROM generate_series(1, $3) s").execute(Tuple.of(room, writer.id(), MESSAGES)).await();
            pool.preparedQuery("UPDATE channels SET last_seq = $2 WHERE id = $1").execute(Tuple.of(room, (long) MESSAGES)).await();
            pool.query("ANALYZE messages").execute().await();
        } finally {
            pool.close().await();
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static JsonObject search(String query) {
        Api.Resp r = api.get("/search?" + query, reader.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    @DisplayName("a common word, a word all in old messages, the same in one channel: each search reads at most scanRows + candidates messages")
    void boundedReads() throws Exception {
        long before = settledReads();
        assertThat(search("q=fox").getJsonArray("results")).hasSize(20);
        search("q=old&limit=50");
        search("q=old&limit=50&channelId=" + room);
        long read = settledReads() - before;
        // "fox" is in 500 messages, "old" in 1,500: reading every match is far more than the bounds
        assertThat(read).as("messages read by the three searches").isPositive().isLessThanOrEqualTo(3L * (SCAN_ROWS + CANDIDATES + 1));
    }

    @Test
    @DisplayName("a truncated search goes on where it stopped: following nextCursor finds every match once, newest first, across channels and in one")
    void truncatedPagesFindEverything() {
        for (String scope : new String[]{"", "&channelId=" + room}) {
            List<Long> seqs = new ArrayList<>();
            int truncated = 0;
            String next = null;
            for (int page = 0; page < 200; page++) {
                JsonObject r = search("q=old&limit=50" + scope + (next == null ? "" : "&before=" + next));
                r.getJsonArray("results").forEach(o -> seqs.add(((JsonObject) o).getLong("seq")));
                if (r.getBoolean("truncated")) {
                    truncated++;
                    assertThat(r.getJsonArray("results").size()).as("a truncated page is short").isLessThan(50);
                }
                next = r.getString("nextCursor");
                if (next == null) {
                    break;
                }
            }
            assertThat(truncated).as("pages that stopped at the read bound" + scope).isPositive();
            List<Long> expected = new ArrayList<>();
            for (long s = 1500; s >= 1; s--) {
                expected.add(s);
            }
            assertThat(seqs).as("every match once, newest first" + scope).containsExactlyElementsOf(expected);
        }
    }

    @Test
    @DisplayName("a rare word is found on the first page however old, exactly: not truncated")
    void rareWordExact() {
        JsonObject r = search("q=needle");
        assertThat(r.getJsonArray("results").stream().map(o -> ((JsonObject) o).getLong("seq")).toList())
                .containsExactly(5L, 4L, 3L, 2L, 1L);
        assertThat(r.getBoolean("truncated")).isFalse();
        assertThat(r.getString("nextCursor")).isNull();
    }

    /**
     * Rows of messages read so far by every session, once the node's sessions have reported them: a
     * session reports at most once a second and, when idle, within 10 s, so the count must have stood
     * still for longer than that.
     */
    private static long settledReads() throws InterruptedException {
        long last = reads();
        long since = System.nanoTime();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            long now = reads();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > 11_000_000_000L) {
                return last;
            }
        }
        throw new AssertionError("the read counts of messages never settled");
    }

    private static long reads() {
        Pool pool = node.pool();
        try {
            return pool.preparedQuery("SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS n FROM pg_stat_user_tables"
                    + " WHERE schemaname = $1 AND relname = 'messages'").execute(Tuple.of(node.schema)).await().iterator().next().getLong("n");
        } finally {
            pool.close().await();
        }
    }
}
