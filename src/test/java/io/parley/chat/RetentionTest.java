package io.parley.chat;

import io.parley.bus.OpsApi;
import io.parley.domain.Expired;
import io.parley.metrics.Metrics;
import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Retention: the oldest messages go, the seqs left stay one unbroken run, caches and replays follow. */
@DisplayName("Retention")
class RetentionTest {

    static TestNode node;
    static Api api;
    static Pool pool;
    static OpsApi ops;

    @BeforeAll
    static void start() {
        node = TestNode.start(RetentionTest.class);
        api = node.api;
        pool = node.pool();
        ops = OpsApi.client(node.vertx.eventBus(), 60_000);
    }

    @AfterAll
    static void stop() {
        pool.close().await();
        node.close();
    }

    private static void age(long channelId, long uptoSeq, int days) {
        pool.preparedQuery("UPDATE messages SET created_at = now() - make_interval(days => $3) WHERE channel_id = $1 AND seq <= $2")
                .execute(Tuple.of(channelId, uptoSeq, days)).await();
    }

    private static List<Long> seqs(JsonObject page) {
        return page.getJsonArray("messages").stream().map(o -> ((JsonObject) o).getLong("seq")).toList();
    }

    @Test
    @DisplayName("a channel keeping 2 days loses its older messages from the start: pages, the cache and replays end there; last_seq stays")
    void channelRetention() {
        Api.User owner = api.signup("keeper2");
        Api.User member = api.signup("keeper2m");
        long ch = api.createChannel(owner, "private", "short memory", member.id());
        for (int i = 1; i <= 10; i++) {
            api.sendMessage(i % 2 == 0 ? owner : member, ch, "message " + i);
        }
        // only the owner (or an admin) sets it, to a sensible number of days
        assertThat(api.send("PATCH", "/channels/" + ch, member.token(), new JsonObject().put("retentionDays", 2)).code())
                .isEqualTo("forbidden");
        assertThat(api.send("PATCH", "/channels/" + ch, owner.token(), new JsonObject().put("retentionDays", 0)).code())
                .isEqualTo("validation_failed");
        assertThat(api.send("PATCH", "/channels/" + ch, owner.token(), new JsonObject().put("name", "x")).code())
                .isEqualTo("validation_failed");
        Resp set = api.send("PATCH", "/channels/" + ch, owner.token(), new JsonObject().put("retentionDays", 2));
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().getInteger("retentionDays")).isEqualTo(2);

        // the newest page is cached with every message in it; then 1..6 grow older than 2 days, and 8 too (out of order)
        assertThat(seqs(api.get("/channels/" + ch + "/messages", member.token()).json())).hasSize(10);
        age(ch, 6, 3);
        pool.preparedQuery("UPDATE messages SET created_at = now() - interval '3 days' WHERE channel_id = $1 AND seq = 8")
                .execute(Tuple.of(ch)).await();
        double before = Metrics.registry(node.vertx).find("parley.retention.deleted").counter().count();
        Expired e = ops.expire().await();
        assertThat(e.channels()).contains(ch);
        assertThat(Metrics.registry(node.vertx).find("parley.retention.deleted").counter().count() - before).isGreaterThanOrEqualTo(6);

        // 1..6 are gone; 8 stays, since 7 is kept: never a hole in the middle
        JsonObject page = api.get("/channels/" + ch + "/messages", member.token()).json();
        assertThat(seqs(page)).as("the cached page was dropped").containsExactly(10L, 9L, 8L, 7L);
        assertThat(page.getBoolean("hasMore")).isFalse();
        JsonObject behind = api.get("/channels/" + ch + "/messages?before=7", member.token()).json();
        assertThat(seqs(behind)).isEmpty();
        assertThat(behind.getBoolean("hasMore")).isFalse();
        assertThat(api.get("/channels/" + ch, member.token()).json().getLong("lastSeq")).isEqualTo(10);

        // a replay from before the expired ones starts at the oldest kept message, in order; new messages follow
        try (WsClient ws = WsClient.connect(node.vertx, node.port, member.token())) {
            JsonObject ack = ws.request(WsClient.subscribeSince(ch, 0));
            assertThat(ack.getString("type")).as(ack.encode()).isEqualTo("ack");
            for (long want = 7; want <= 10; want++) {
                assertThat(ws.next("message").getLong("seq")).isEqualTo(want);
            }
            api.sendMessage(owner, ch, "after the expiry");
            assertThat(ws.next("message").getLong("seq")).isEqualTo(11);
        }
        // nothing more is due: a second run deletes nothing here
        ops.expire().await();
        assertThat(seqs(api.get("/channels/" + ch + "/messages", member.token()).json())).containsExactly(11L, 10L, 9L, 8L, 7L);
    }

    @Test
    @DisplayName("a lounge's retention holds for its rooms without their own, in batches, thousands at a time, oldest first")
    void loungeRetentionInBatches() {
        Api.User admin = node.admin("retboss");
        api.post("/lounges", admin.token(), new JsonObject().put("slug", "ephemeral").put("name", "Ephemeral"));
        long room = api.post("/lounges/ephemeral/rooms", admin.token(), new JsonObject().put("language", "en")).json().getLong("id");
        Resp set = api.send("PATCH", "/lounges/ephemeral", admin.token(), new JsonObject().put("retentionDays", 1));
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().getInteger("retentionDays")).isEqualTo(1);
        assertThat(api.send("PATCH", "/lounges/ephemeral", admin.token(), new JsonObject().put("retentionDays", 99999)).code())
                .isEqualTo("validation_failed");

        // 2,500 old messages and 3 new ones
        pool.preparedQuery("INSERT INTO messages (channel_id, seq, sender_id, client_msg_id, body, created_at)"
                + " SELECT $1, s, $2, 'old-' || s, 'old ' || s, now() - interval '5 days' FROM generate_series(1, 2500) s")
                .execute(Tuple.of(room, admin.id())).await();
        pool.preparedQuery("UPDATE channels SET last_seq = 2500 WHERE id = $1").execute(Tuple.of(room)).await();
        api.post("/channels/" + room + "/members", admin.token(), null);
        for (int i = 0; i < 3; i++) {
            api.sendMessage(admin, room, "new " + i);
        }
        Expired e = ops.expire().await();
        assertThat(e.channels()).contains(room);
        JsonObject page = api.get("/channels/" + room + "/messages", admin.token()).json();
        assertThat(seqs(page)).containsExactly(2503L, 2502L, 2501L);
        assertThat(page.getBoolean("hasMore")).isFalse();
        long left = pool.preparedQuery("SELECT count(*) FROM messages WHERE channel_id = $1").execute(Tuple.of(room)).await()
                .iterator().next().getLong(0);
        assertThat(left).isEqualTo(3);
        assertThat(pool.preparedQuery("SELECT expired_through FROM channels WHERE id = $1").execute(Tuple.of(room)).await()
                .iterator().next().getLong(0)).isEqualTo(2500);
        // the lounge shows its retention; clearing it keeps messages again
        assertThat(api.send("PATCH", "/lounges/ephemeral", admin.token(), new JsonObject().putNull("retentionDays")).json()
                .getValue("retentionDays")).isNull();
        JsonArray lounges = api.get("/lounges", admin.token()).json().getJsonArray("lounges");
        assertThat(lounges.stream().map(o -> (JsonObject) o).filter(l -> "ephemeral".equals(l.getString("slug"))).findFirst()
                .orElseThrow().containsKey("retentionDays")).isTrue();
    }
}
