package io.parley.edge.ws;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static io.parley.support.WsClient.ping;
import static io.parley.support.WsClient.subscribe;
import static io.parley.support.WsClient.subscribeSince;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("What one WebSocket frame may cost: refs, subscribe items, queries, replay and concurrency are bounded")
class SocketAbuseTest {

    static final int MAX_REPLAY = 1000;
    static TestNode node;
    static Api api;
    static Api.User owner;

    @BeforeAll
    static void start() {
        node = TestNode.start(SocketAbuseTest.class, json -> json.getJsonObject("ws").put("maxReplayPerFrame", MAX_REPLAY));
        api = node.api;
        owner = api.signup("abuse");
    }

    @AfterAll
    static void stop() {
        node.close();
    }


    /** A channel of {@code owner} holding {@code n} messages, written in one statement. */
    static long channelWith(int n) {
        long ch = api.createChannel(owner, "private", "seeded");
        var pool = node.pool();
        try {
            pool.preparedQuery("INSERT INTO messages (channel_id, seq, sender_id, client_msg_id, body)"
                    + " SELECT $1, g, $2, 'seed-' || g, 'message ' || g FROM generate_series(1, $3) g")
                    .execute(Tuple.of(ch, owner.id(), n)).await();
            pool.preparedQuery("UPDATE channels SET last_seq = $2 WHERE id = $1").execute(Tuple.of(ch, (long) n)).await();
        } finally {
            pool.close().await();
        }
        return ch;
    }

    @Test
    @DisplayName("a ref over 64 characters is refused with an error frame that does not echo it")
    void longRef() {
        try (WsClient ws = WsClient.connect(node.vertx, node.port, owner.token())) {
            ws.send(ping().put("ref", "r".repeat(50_000)));
            JsonObject error = ws.next("error");
            assertThat(error.getString("code")).isEqualTo("validation_failed");
            assertThat(error.getString("message")).contains("at most 64 characters");
            assertThat(error.containsKey("ref")).isFalse();
            assertThat(error.encode().length()).isLessThan(300);
            assertThat(ws.request(ping().put("ref", "r".repeat(64))).getString("type")).isEqualTo("pong");
        }
    }

    @Test
    @DisplayName("an unknown type of 50,000 characters is not echoed in the error")
    void longType() {
        try (WsClient ws = WsClient.connect(node.vertx, node.port, owner.token())) {
            JsonObject error = ws.request(new JsonObject().put("type", "t".repeat(50_000)));
            assertThat(error.getString("code")).isEqualTo("unknown_type");
            assertThat(error.encode().length()).isLessThan(300);
        }
    }

    @Test
    @DisplayName("2,000 items in one subscribe are refused before any query; 100 copies of one channel cost 3 queries and replay once")
    void duplicateItems() {
        long ch = channelWith(40);
        try (WsClient ws = WsClient.connect(node.vertx, node.port, owner.token())) {
            ws.request(ping());
            JsonArray many = new JsonArray();
            for (int i = 0; i < 2000; i++) {
                many.add(ch);
            }
            long before = node.queryCount();
            JsonObject refused = ws.request(subscribe(many));
            assertThat(refused.getString("code")).isEqualTo("validation_failed");
            assertThat(refused.getString("message")).contains("at most 100 channels");
            assertThat(node.queryCount() - before).isLessThanOrEqualTo(1); // nothing but background work

            JsonArray copies = new JsonArray();
            for (int i = 0; i < 100; i++) {
                copies.add(new JsonObject().put("id", ch).put("since", 0));
            }
            before = node.queryCount();
            JsonObject ack = ws.request(subscribe(copies));
            long used = node.queryCount() - before;
            assertThat(ack.getString("type")).isEqualTo("ack");
            assertThat(ack.getJsonArray("channels")).hasSize(1);
            assertThat(ack.getJsonArray("channels").getJsonObject(0).getLong("lastSeq")).isEqualTo(40L);
            assertThat(used).as("access + positions + one replay page").isBetween(3L, 5L);
            List<JsonObject> replayed = ws.drain("message", 500);
            assertThat(replayed.stream().map(m -> m.getLong("seq")).toList())
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, 40).boxed().toList());
        }
    }

    @Test
    @DisplayName("a subscribe without since costs two queries whatever the number of channels; non-members get one entry each")
    void manyChannels() {
        Api.User guest = api.guest("curious");
        JsonArray ids = new JsonArray();
        for (int i = 0; i < 20; i++) {
            ids.add(api.createChannel(owner, "private", "many" + i));
        }
        try (WsClient ws = WsClient.connect(node.vertx, node.port, owner.token());
             WsClient g = WsClient.connect(node.vertx, node.port, guest.token())) {
            ws.request(ping());
            long before = node.queryCount();
            JsonObject ack = ws.request(subscribe(ids));
            assertThat(ack.getJsonArray("channels")).hasSize(20);
            assertThat(node.queryCount() - before).as("access + positions, no replay").isBetween(2L, 3L);

            JsonArray repeated = new JsonArray();
            for (int i = 0; i < 100; i++) {
                repeated.add(ids.getLong(i % 20));
            }
            JsonObject refused = g.request(subscribe(repeated));
            assertThat(refused.getString("type")).isEqualTo("error");
            assertThat(refused.getString("code")).isEqualTo("not_found");
            assertThat(refused.encode().length()).isLessThan(300);
        }
    }

    @Test
    @DisplayName("a replay is bounded per frame: since 0 on 1,500 messages replays the newest 1,000 and the ack says where it starts")
    void replayBudget() {
        long ch = channelWith(1500);
        try (WsClient ws = WsClient.connect(node.vertx, node.port, owner.token())) {
            JsonObject ack = ws.request(subscribeSince(ch, 0));
            JsonObject entry = ack.getJsonArray("channels").getJsonObject(0);
            assertThat(entry.getBoolean("truncated")).isTrue();
            assertThat(entry.getLong("replayedAfter")).isEqualTo(500L);
            assertThat(entry.getLong("lastSeq")).isEqualTo(1500L);
            List<JsonObject> replayed = ws.drain("message", 1000);
            assertThat(replayed.stream().map(m -> m.getLong("seq")).toList())
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(501, 1500).boxed().toList());
        }
    }

    @Test
    @DisplayName("subscribe frames in flight per socket are bounded: of 6 sent at once, at most 2 run, the others get rate_limited")
    void concurrentSubscribes() {
        long ch = channelWith(5);
        try (WsClient raw = WsClient.connectRaw(node.port, owner.token(), 0)) {
            raw.sendInOneWrite(IntStream.range(0, 6).mapToObj(i -> subscribeSince(ch, 0).put("ref", "s" + i)).toList());
            List<JsonObject> answers = IntStream.range(0, 6).mapToObj(i -> raw.reply("s" + i)).toList();
            long acks = answers.stream().filter(a -> "ack".equals(a.getString("type"))).count();
            long limited = answers.stream().filter(a -> "rate_limited".equals(a.getString("code"))).count();
            assertThat(acks + limited).as(answers.toString()).isEqualTo(6);
            assertThat(acks).isBetween(1L, 2L);
            assertThat(limited).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    @DisplayName("a client that stops reading while it sends pings makes the node stop reading it; the node keeps serving others")
    void silentReader() {
        long ch = api.createChannel(owner, "private", "bystander");
        long accepted;
        try (WsClient raw = WsClient.connectRaw(node.port, owner.token(), 4096)) {
            // 50 MB of pings whose answers are as large as the pings: without backpressure the node would read
            // them all and hold their answers; with it, it stops reading once its write queue is full.
            accepted = raw.flood(ping().put("ref", "p".repeat(64)), 50L << 20, 2_000, 20_000);
            assertThat(accepted).as("bytes the node took before it stopped reading").isLessThan(20L << 20);
            try (WsClient ws = WsClient.connect(node.vertx, node.port, owner.token())) {
                ws.request(subscribe(ch));
                api.sendMessage(owner, ch, "still serving");
                assertThat(ws.next("message").getString("body")).isEqualTo("still serving");
            }
            // reading again, it gets the answers the node held back
            assertThat(raw.next(f -> "pong".equals(f.getString("type")), 1_000).getString("ref")).isEqualTo("p".repeat(64));
        }
        assertThat(api.getRoot("/health").status()).isEqualTo(200);
    }
}
