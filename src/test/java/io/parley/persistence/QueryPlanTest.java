package io.parley.persistence;

import io.parley.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Future;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every hot query uses an index: with enough rows loaded and ANALYZEd, no plan of these statements does
 * a sequential scan on users, channel_members or messages (read from EXPLAIN (FORMAT JSON)).
 */
@DisplayName("Query plans: hot queries use indexes")
class QueryPlanTest {

    static TestNode node;
    static Pool pool;
    static final Set<String> BIG = Set.of("users", "channel_members", "messages", "sessions");

    @BeforeAll
    static void load() {
        node = TestNode.start(QueryPlanTest.class);
        pool = node.pool();
        // 5,000 users, 500 channels of 20 members (user 1 in 50 of them), 100,000 messages, 5,000 sessions
        pool.query("INSERT INTO users (handle, display_name, password_hash) SELECT 'u' || g, 'User ' || g, 'x' FROM generate_series(1, 5000) g")
                .execute().await();
        pool.query("INSERT INTO channels (kind, name, created_by) SELECT 'private', 'c' || g, 1 FROM generate_series(1, 500) g").execute().await();
        pool.query("INSERT INTO channel_members (channel_id, user_id) SELECT c.id, ((c.id * 37 + k) % 5000) + 1"
                + " FROM channels c, generate_series(1, 20) k WHERE c.kind = 'private' ON CONFLICT DO NOTHING").execute().await();
        pool.query("INSERT INTO channel_members (channel_id, user_id) SELECT id, 1 FROM channels WHERE kind = 'private' AND id % 10 = 0"
                + " ON CONFLICT DO NOTHING").execute().await();
        pool.query("INSERT INTO messages (channel_id, seq, sender_id, client_msg_id, body)"
                + " SELECT c.id, s, ((c.id + s) % 5000) + 1, 'm' || s, 'hello number ' || s"
                + " FROM channels c, generate_series(1, 200) s WHERE c.kind = 'private'").execute().await();
        pool.query("UPDATE channels SET last_seq = 200, last_message_at = now() WHERE kind = 'private'").execute().await();
        pool.query("INSERT INTO sessions (user_id, refresh_hash, family_id, expires_at)"
                + " SELECT g, sha256(g::text::bytea), gen_random_uuid(), now() + interval '1 day' FROM generate_series(1, 5000) g").execute().await();
        // 1,000 lounges of 10 rooms (one in four lounges closed), 20 members in each room of the first 50
        pool.query("INSERT INTO lounges (slug, name, is_active) SELECT 'l' || g, 'Lounge ' || g, g % 4 <> 0"
                + " FROM generate_series(1, 1000) g").execute().await();
        pool.query("INSERT INTO channels (kind, name, lounge_id, language, is_active)"
                + " SELECT 'room', l.name || ' ' || lang, l.id, lang, l.is_active FROM lounges l,"
                + " unnest(ARRAY['en','es','fr','de','it','pt','nl','pl','sv','ja']) lang WHERE l.slug LIKE 'l%'").execute().await();
        pool.query("INSERT INTO channel_members (channel_id, user_id) SELECT c.id, ((c.id * 13 + k) % 5000) + 1"
                + " FROM channels c, generate_series(1, 20) k WHERE c.kind = 'room' AND c.lounge_id <= 50 ON CONFLICT DO NOTHING")
                .execute().await();
        pool.query("ANALYZE").execute().await();
    }

    @AfterAll
    static void stop() {
        pool.close().await();
        node.close();
    }

    static Stream<Arguments> hotQueries() {
        long ch = 50;
        return Stream.of(
                Arguments.of("CHANNEL_LIST", SqlQueries.CHANNEL_LIST, Tuple.of(1L)),
                Arguments.of("CHANNEL_FOR_USER", SqlQueries.CHANNEL_FOR_USER, Tuple.of(ch, 1L)),
                Arguments.of("MESSAGE_PAGE_DESC", SqlQueries.MESSAGE_PAGE_DESC, Tuple.of(ch, 150L, -1L, 51, 1L)),
                Arguments.of("MESSAGE_PAGE_ASC", SqlQueries.MESSAGE_PAGE_ASC, Tuple.of(ch, Long.MAX_VALUE, 100L, 51, 1L)),
                Arguments.of("MESSAGE_SEND", SqlQueries.MESSAGE_SEND, Tuple.of(ch, 1L, "plan-1", "hi", new String[0], false, false)),
                Arguments.of("MESSAGE_SEND with mentions", SqlQueries.MESSAGE_SEND, Tuple.of(ch, 1L, "plan-2", "hi @u42 @u7",
                        new String[]{"u42", "u7"}, true, false)),
                Arguments.of("MESSAGE_BY_CLIENT_ID", SqlQueries.MESSAGE_BY_CLIENT_ID, Tuple.of(ch, 1L, "m5")),
                Arguments.of("MESSAGE_BY_SEQ", SqlQueries.MESSAGE_BY_SEQ, Tuple.of(ch, 5L)),
                Arguments.of("MEMBER_READ", SqlQueries.MEMBER_READ, Tuple.of(ch, 1L, 10L)),
                Arguments.of("USER_BY_HANDLE", SqlQueries.USER_BY_HANDLE, Tuple.of("u42")),
                Arguments.of("USER_BY_ID", SqlQueries.USER_BY_ID, Tuple.of(42L)),
                Arguments.of("USER_BY_IDS", SqlQueries.USER_BY_IDS, Tuple.of(new Long[]{42L, 43L, 4999L}, 1L)),
                Arguments.of("SESSION_BY_HASH_FOR_UPDATE", SqlQueries.SESSION_BY_HASH_FOR_UPDATE,
                        Tuple.of(Buffer.buffer(new byte[32]), 10)),
                Arguments.of("PRESENCE_CHANNELS", SqlQueries.PRESENCE_CHANNELS, Tuple.tuple().addValue(new Long[]{1L, 2L, 3L})));
    }

    /** The lounge and moderation statements: no sequential scan of the channels either (rooms are a few of them in production). */
    static Stream<Arguments> loungeQueries() {
        Long[] someLounges = {1L, 2L, 3L};
        Long[] someRooms = {600L, 601L, 602L, 603L, 604L}; // rooms: ids after the 4 seeded rooms and 500 private channels
        return Stream.of(
                Arguments.of("LOUNGE_BY_SLUG", SqlQueries.LOUNGE_BY_SLUG, Tuple.of("l42")),
                Arguments.of("ROOMS_ACTIVE", SqlQueries.ROOMS_ACTIVE, Tuple.of((Object) someLounges)),
                Arguments.of("ROOMS_ALL", SqlQueries.ROOMS_ALL, Tuple.of(7L)),
                Arguments.of("ROOM_COUNTS", SqlQueries.ROOM_COUNTS, Tuple.of((Object) someRooms)),
                Arguments.of("LOUNGE_ROOMS_ACTIVITY", SqlQueries.LOUNGE_ROOMS_ACTIVITY, Tuple.of(7L, false)),
                Arguments.of("ROOM_UPDATE", SqlQueries.ROOM_UPDATE, Tuple.of("l7", 560L, "x", null, null)),
                Arguments.of("MESSAGE_PAGE_DESC of a room", SqlQueries.MESSAGE_PAGE_DESC, Tuple.of(600L, Long.MAX_VALUE, -1L, 51, 2L)),
                Arguments.of("MEMBER_CHANGE", SqlQueries.MEMBER_CHANGE, Tuple.tuple().addLong(600L).addLong(2L).addString(null)
                        .addBoolean(false).addOffsetDateTime(null).addBoolean(true)),
                Arguments.of("MEMBER_OWNERS_STEP_DOWN", SqlQueries.MEMBER_OWNERS_STEP_DOWN, Tuple.of(600L, 2L)),
                Arguments.of("MODERATION_LOG", SqlQueries.MODERATION_LOG, Tuple.of(600L, Long.MAX_VALUE, 51)),
                Arguments.of("CHANNEL_ACCESS_MANY", SqlQueries.CHANNEL_ACCESS_MANY, Tuple.of(someRooms, 2L)),
                Arguments.of("MODERATION_QUEUE", SqlQueries.MODERATION_QUEUE, Tuple.of(600L, 0L, 51)),
                Arguments.of("MESSAGE_DECIDE", SqlQueries.MESSAGE_DECIDE, Tuple.tuple().addLong(600L).addLong(3L).addString("approved")
                        .addLong(2L).addString(null).addArrayOfString(new String[]{"u42"})),
                Arguments.of("MESSAGE_DECISIONS", SqlQueries.MESSAGE_DECISIONS, Tuple.of(600L, 10L, 1000)),
                Arguments.of("CHANNEL_PREMODERATION", SqlQueries.CHANNEL_PREMODERATION, Tuple.of(600L, "guests", 2L)),
                Arguments.of("RETENTION_CHANNELS", SqlQueries.RETENTION_CHANNELS, Tuple.of(200)),
                Arguments.of("RETENTION_DELETE", SqlQueries.RETENTION_DELETE, Tuple.of(50L, 0L, 1000,
                        java.time.OffsetDateTime.now().minusDays(1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loungeQueries")
    @DisplayName("lounges and rooms: no sequential scan of channels or a big table")
    void loungeStatementsUseIndexes(String name, String sql, Tuple args) {
        JsonArray plan = new JsonArray(pool.preparedQuery("EXPLAIN (FORMAT JSON) " + sql).execute(args).await()
                .iterator().next().getValue(0).toString());
        List<String> seqScans = new ArrayList<>();
        walk(plan.getJsonObject(0).getJsonObject("Plan"), seqScans, Set.of("users", "channel_members", "messages", "channels"));
        assertThat(seqScans).as(name + " plan: " + plan.encode()).isEmpty();
    }

    @Test
    @DisplayName("the active lounges are read in slug order from their index, 1,000 of them")
    void activeLounges() {
        JsonArray plan = new JsonArray(pool.preparedQuery("EXPLAIN (FORMAT JSON) " + SqlQueries.LOUNGES_ACTIVE).execute(Tuple.of(1000))
                .await().iterator().next().getValue(0).toString());
        assertThat(plan.encode()).as("reads lounges_active_idx or a small table; never a sort of channels").doesNotContain("\"channels\"");
        assertThat(pool.preparedQuery(SqlQueries.LOUNGES_ACTIVE).execute(Tuple.of(1000)).await().size()).isEqualTo(750 + 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hotQueries")
    @DisplayName("no sequential scan on a big table")
    void usesIndexes(String name, String sql, Tuple args) {
        JsonArray plan = new JsonArray(pool.preparedQuery("EXPLAIN (FORMAT JSON) " + sql).execute(args).await()
                .iterator().next().getValue(0).toString());
        List<String> seqScans = new ArrayList<>();
        walk(plan.getJsonObject(0).getJsonObject("Plan"), seqScans);
        assertThat(seqScans).as(name + " plan: " + plan.encode()).isEmpty();
    }

    static final OffsetDateTime END = OffsetDateTime.of(9999, 12, 31, 0, 0, 0, 0, ZoneOffset.UTC);
    static final int SCAN_ROWS = 2000;
    static final int CANDIDATES = 1000;

    /** The search statements as PgSearchStore runs them, for reader 1 and the words of {@code words}. */
    static Stream<Arguments> searchQueries(String words) {
        List<String> cfgs = List.of("pg_catalog.english", "pg_catalog.simple");
        String match = SqlQueries.searchMatch(cfgs);
        String lexemes = SqlQueries.searchLexemes(cfgs);
        String lang = SqlQueries.SEARCH_MATCH_LANGUAGE;
        String langLexemes = SqlQueries.SEARCH_LEXEMES_LANGUAGE;
        return Stream.of(
                Arguments.of("search.scan", SqlQueries.searchScan(match, false), across(words, null, SCAN_ROWS)),
                Arguments.of("search.scan.channel", SqlQueries.searchScan(match, true), inOne(words, null, SCAN_ROWS)),
                Arguments.of("search.scan language", SqlQueries.searchScan(lang, false), across(words, "en", SCAN_ROWS)),
                Arguments.of("search.candidates", SqlQueries.searchCandidates(lexemes, match, false), across(words, null, CANDIDATES + 1)),
                Arguments.of("search.candidates.channel", SqlQueries.searchCandidates(lexemes, match, true), inOne(words, null, CANDIDATES + 1)),
                Arguments.of("search.candidates language", SqlQueries.searchCandidates(langLexemes, lang, false), across(words, "en", CANDIDATES + 1)));
    }

    private static Tuple across(String words, String language, int bound) {
        return Tuple.tuple().addLong(1L).addString(words).addString(language).addOffsetDateTime(END).addLong(Long.MAX_VALUE)
                .addLong(Long.MAX_VALUE).addInteger(21).addInteger(bound);
    }

    private static Tuple inOne(String words, String language, int bound) {
        return Tuple.tuple().addLong(1L).addString(words).addString(language).addLong(50L).addLong(Long.MAX_VALUE).addInteger(21)
                .addInteger(bound);
    }

    static Stream<Arguments> rareSearches() {
        return searchQueries("number 42");
    }

    static Stream<Arguments> commonSearches() {
        return searchQueries("hello");
    }

    /** Plans as the search pool's sessions make them (Database.searchSession): no sequential scan at all. */
    private static JsonArray searchPlan(String sql, Tuple args, boolean analyze) {
        Pool search = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(TestNode.DB_URL).setProperties(new java.util.HashMap<>(
                java.util.Map.of("search_path", node.schema)))).using(node.vertx).build();
        try {
            return search.withConnection(c -> {
                Future<?> set = Future.succeededFuture();
                for (var e : Database.searchSession(10_000).entrySet()) {
                    set = set.compose(v -> c.preparedQuery("SELECT set_config($1, $2, false)").execute(Tuple.of(e.getKey(), e.getValue())));
                }
                return set.compose(v -> c.preparedQuery("EXPLAIN (" + (analyze ? "ANALYZE, " : "") + "FORMAT JSON) " + sql).execute(args));
            }).map(rows -> new JsonArray(rows.iterator().next().getValue(0).toString())).await();
        } finally {
            search.close().await();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rareSearches")
    @DisplayName("search statements: no sequential scan on a big table")
    void searchUsesIndexes(String name, String sql, Tuple args) {
        JsonArray plan = searchPlan(sql, args, false);
        List<String> seqScans = new ArrayList<>();
        walk(plan.getJsonObject(0).getJsonObject("Plan"), seqScans);
        assertThat(seqScans).as(name + " plan: " + plan.encode()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commonSearches")
    @DisplayName("a search statement reads at most its bound of messages, for a word in every one of 100,000")
    void searchReadsBoundedRows(String name, String sql, Tuple args) {
        JsonArray plan = searchPlan(sql, args, true);
        long read = rowsRead(plan.getJsonObject(0).getJsonObject("Plan"), "messages");
        long bound = name.contains("candidates") ? CANDIDATES + 1 : SCAN_ROWS;
        assertThat(read).as(name + " plan: " + plan.encode()).isPositive().isLessThanOrEqualTo(bound);
    }

    /** Rows the scans of {@code table} produced or threw away (filter, recheck), over all their loops. */
    private static long rowsRead(JsonObject node, String table) {
        long n = 0;
        if (table.equals(node.getString("Relation Name"))) {
            long loops = Math.max(1, node.getLong("Actual Loops", 1L));
            n += (node.getLong("Actual Rows", 0L) + node.getLong("Rows Removed by Filter", 0L)
                    + node.getLong("Rows Removed by Index Recheck", 0L)) * loops;
        }
        JsonArray plans = node.getJsonArray("Plans");
        if (plans != null) {
            for (Object p : plans) {
                n += rowsRead((JsonObject) p, table);
            }
        }
        return n;
    }

    private static void walk(JsonObject node, List<String> seqScans) {
        walk(node, seqScans, BIG);
    }

    private static void walk(JsonObject node, List<String> seqScans, Set<String> big) {
        if ("Seq Scan".equals(node.getString("Node Type")) && big.contains(node.getString("Relation Name"))) {
            seqScans.add(node.getString("Relation Name"));
        }
        JsonArray plans = node.getJsonArray("Plans");
        if (plans != null) {
            plans.forEach(p -> walk((JsonObject) p, seqScans, big));
        }
    }
}
