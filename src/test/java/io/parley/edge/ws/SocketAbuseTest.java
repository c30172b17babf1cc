package io.parley.edge.ws;

import io.parley.support.Api;
import io.parley.support.RawWebSocket;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
            ws.send(new JsonObject().put("type", "ping").put("ref", "r".repeat(50_000)));
            JsonObject error = ws.next(f -> "error".equals(f.getString("type")));
            assertThat(error.getString("code")).isEqualTo("validation_failed");
            assertThat(error.getString("message")).contains("at most 64 characters");
            assertThat(error.containsKey("ref")).isFalse();
            assertThat(error.encode().length()).isLessThan(300);
            assertThat(ws.request(new JsonObject().put("type", "ping").put("ref", "r".repeat(64))).getString("type")).isEqualTo("pong");
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
            ws.request(new JsonObject().put("type", "ping"));
            JsonArray many = new JsonArray();
            for (int i = 0; i < 2000; i++) {
                many.add(ch);
            }
            long before = node.queryCount();
            JsonObject refused = ws.request(new JsonObject().put("type", "subscribe").put("channels", many));
            assertThat(refused.getString("code")).isEqualTo("validation_failed");
            assertThat(refused.getString("message")).contains("at most 100 channels");
            assertThat(node.queryCount() - before).isLessThanOrEqualTo(1); // nothing but background work

            JsonArray copies = new JsonArray();
            for (int i = 0; i < 100; i++) {
                copies.add(new JsonObject().put("id", ch).put("since", 0));
            }
            before = node.queryCount();
            JsonObject ack = ws.request(new JsonObject().put("type", "subscribe").put("channels", copies));
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
            ws.request(new JsonObject().put("type", "ping"));
            long before = node.queryCount();
            JsonObject ack = ws.request(new JsonObject().put("type", "subscribe").put("channels", ids));
            assertThat(ack.getJsonArray("channels")).hasSize(20);
            assertThat(node.queryCount() - before).as("access + positions, no replay").isBetween(2L, 3L);

            JsonArray repeated = new JsonArray();
            for (int i = 0; i < 100; i++) {
                repeated.add(ids.getLong(i % 20));
            }
            JsonObject refused = g.request(new JsonObject().put("type", "subscribe").put("channels", repeated));
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
            JsonObject ack = ws.request(new JsonObject().put("type", "subscribe")
                    .put("channels", new JsonArray().add(new JsonObject().put("id", ch).put("since", 0))));
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
    void concurrentSubscribes() throws Exception {
        long ch = channelWith(5);
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < 6; i++) {
            burst.write(RawWebSocket.textFrame(new JsonObject().put("type", "subscribe").put("ref", "s" + i)
                    .put("channels", new JsonArray().add(new JsonObject().put("id", ch).put("since", 0))).encode()));
        }
        try (RawWebSocket raw = RawWebSocket.connect(node.port, owner.token(), 0)) {
            raw.write(burst.toByteArray());
            String got = "";
            long deadline = System.currentTimeMillis() + 10_000;
            while (count(got, "\"ref\":\"s\\d\"") < 6 && System.currentTimeMillis() < deadline) {
                got = raw.readFor(200);
            }
            int acks = count(got, "\"type\":\"ack\"");
            int limited = count(got, "\"code\":\"rate_limited\"");
            assertThat(acks + limited).as(got.replaceAll("[^\\x20-\\x7e]", ".")).isEqualTo(6);
            assertThat(acks).isBetween(1, 2);
            assertThat(limited).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    @DisplayName("a client that stops reading while it sends pings makes the node stop reading it; the node keeps serving others")
    void silentReader() throws Exception {
        long ch = api.createChannel(owner, "private", "bystander");
        byte[] ping = RawWebSocket.textFrame(new JsonObject().put("type", "ping").put("ref", "p".repeat(64)).encode());
        long accepted;
        try (RawWebSocket raw = RawWebSocket.connect(node.port, owner.token(), 4096)) {
            // 50 MB of pings whose answers are as large as the pings: without backpressure the node would read
            // them all and hold their answers; with it, it stops reading once its write queue is full.
            accepted = raw.flood(ping, 50L << 20, 2_000, 20_000);
            assertThat(accepted).as("bytes the node took before it stopped reading").isLessThan(20L << 20);
            try (WsClient ws = WsClient.connect(node.vertx, node.port, owner.token())) {
                ws.request(new JsonObject().put("type", "subscribe").put("channels", new JsonArray().add(ch)));
                api.sendMessage(owner, ch, "still serving");
                assertThat(ws.next(f -> "message".equals(f.getString("type"))).getString("body")).isEqualTo("still serving");
            }
            String answers = raw.readFor(1_000);
            assertThat(answers).contains("\"type\":\"pong\"");
        }
        assertThat(api.getRoot("/health").status()).isEqualTo(200);
    }

    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
