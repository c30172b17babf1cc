package io.parley.cluster;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.parley.support.WsClient.read;
import static io.parley.support.WsClient.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Presence, typing and read state on two clustered nodes sharing Redis and Postgres, with short timings. */
@DisplayName("Presence, typing and read state across two nodes")
class PresenceTest {

    static List<TestNode> nodes;
    static TestNode a;
    static TestNode b;
    static Api api;

    @BeforeAll
    static void start() {
        nodes = TestNode.startCluster(PresenceTest.class, 2, json -> json.getJsonObject("presence")
                .put("heartbeatSeconds", 1).put("connectionTtlSeconds", 3).put("offlineGraceSeconds", 1).put("batchMillis", 200)
                .put("sweepSeconds", 1).put("lastSeenFlushSeconds", 1).put("purgeSeconds", 2));
        a = nodes.get(0);
        b = nodes.get(1);
        api = a.api;
    }

    @AfterAll
    static void stop() {
        TestNode.closeAll(nodes);
    }

    private static JsonObject presenceOf(Api.User asker, long userId) {
        return api.get("/presence?userIds=" + userId, asker.token()).json().getJsonArray("presence").getJsonObject(0);
    }

    private static List<JsonObject> presenceFrames(WsClient c, long userId, long millis) {
        return c.drain("presence", millis).stream().filter(f -> f.getLong("userId") == userId).toList();
    }

    @Test
    @DisplayName("a user connected on both nodes stays online when one connection closes and goes offline after the last")
    void onlineAcrossNodes() {
        Api.User watcher = api.signup("watcher");
        Api.User user = api.signup("user");
        long ch = api.createChannel(watcher, "private", "presence", user.id());
        try (WsClient w = WsClient.connect(a.vertx, a.port, watcher.token())) {
            assertThat(w.request(subscribe(ch)).getString("type")).isEqualTo("ack");
            WsClient onA = WsClient.connect(a.vertx, a.port, user.token());
            WsClient onB = WsClient.connect(b.vertx, b.port, user.token());
            JsonObject online = w.next(f -> "presence".equals(f.getString("type")) && f.getLong("userId") == user.id());
            assertThat(online.getBoolean("online")).isTrue();
            assertThat(presenceOf(watcher, user.id()).getBoolean("online")).isTrue();

            onA.close();
            assertThat(presenceFrames(w, user.id(), 2_000)).as("no event while a connection remains").isEmpty();
            assertThat(presenceOf(watcher, user.id()).getBoolean("online")).isTrue();

            java.time.Instant closedAt = java.time.Instant.now();
            onB.close();
            JsonObject offline = w.next(f -> "presence".equals(f.getString("type")) && f.getLong("userId") == user.id());
            assertThat(offline.getBoolean("online")).isFalse();
            // last seen is when the last connection ended, not when the event went out (a grace period later)
            assertThat(java.time.Instant.parse(offline.getString("lastSeenAt")))
                    .isBetween(closedAt.minusMillis(500), closedAt.plusMillis(800));
            JsonObject p = presenceOf(watcher, user.id());
            assertThat(p.getBoolean("online")).isFalse();
            assertThat(p.getString("lastSeenAt")).isNotNull();
            // Postgres follows in batches
            long deadline = System.currentTimeMillis() + 5_000;
            boolean flushed = false;
            while (!flushed && System.currentTimeMillis() < deadline) {
                var pool = a.pool();
                var row = pool.preparedQuery("SELECT is_online, last_seen_at FROM users WHERE id = $1")
                        .execute(io.vertx.sqlclient.Tuple.of(user.id())).await().iterator().next();
                flushed = !row.getBoolean("is_online") && row.getOffsetDateTime("last_seen_at") != null;
                pool.close().await();
            }
            assertThat(flushed).as("users.is_online/last_seen_at written").isTrue();
        }
    }

    @Test
    @DisplayName("a reconnect burst of 40 users and a flapping user make no presence storm")
    void coalescing() throws Exception {
        Api.User watcher = api.signup("storm_watcher");
        List<Api.User> users = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            users.add(api.signup("storm"));
        }
        long ch = api.createChannel(watcher, "private", "storm", users.stream().mapToLong(Api.User::id).toArray());
        try (WsClient w = WsClient.connect(a.vertx, a.port, watcher.token())) {
            assertThat(w.request(subscribe(ch)).getString("type")).isEqualTo("ack");
            List<WsClient> conns = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                TestNode n = i % 2 == 0 ? a : b;
                conns.add(WsClient.connect(n.vertx, n.port, users.get(i).token()));
            }
            int onlineEvents = w.drain("presence", 2_000).size();
            assertThat(onlineEvents).isEqualTo(40);

            // every user's node "dies" for them: all reconnect, to the other node, within the grace period
            for (int i = 0; i < users.size(); i++) {
                conns.get(i).close();
                TestNode other = i % 2 == 0 ? b : a;
                conns.set(i, WsClient.connect(other.vertx, other.port, users.get(i).token()));
            }
            // and one user flaps ten times
            Api.User flapper = users.get(0);
            for (int k = 0; k < 10; k++) {
                conns.get(0).close();
                conns.set(0, WsClient.connect(a.vertx, a.port, flapper.token()));
            }
            List<JsonObject> burst = w.drain("presence", 3_000);
            System.out.println("presence events during a reconnect burst of 40 users and 10 flaps: " + burst.size()
                    + " (40 users came online before: " + onlineEvents + " events)");
            assertThat(burst).isEmpty();
            conns.forEach(WsClient::close);
            List<JsonObject> gone = w.drain("presence", 3_000);
            assertThat(gone).hasSize(40).allMatch(f -> !f.getBoolean("online"));
        }
    }

    @Test
    @DisplayName("typing reaches the channel's subscribers on both nodes only, at most once a second per user and channel")
    void typing() {
        Api.User typist = api.signup("typist");
        Api.User reader = api.signup("typing_reader");
        Api.User idle = api.signup("not_subscribed");
        Api.User outsider = api.signup("outsider");
        long ch = api.createChannel(typist, "private", "typing", reader.id(), idle.id());
        long other = api.createChannel(outsider, "private", "elsewhere", typist.id());
        try (WsClient t = WsClient.connect(a.vertx, a.port, typist.token());
             WsClient r = WsClient.connect(b.vertx, b.port, reader.token());
             WsClient i = WsClient.connect(b.vertx, b.port, idle.token());
             WsClient o = WsClient.connect(a.vertx, a.port, outsider.token())) {
            t.request(subscribe(ch));
            r.request(subscribe(ch));
            o.request(subscribe(other));
            for (int k = 0; k < 3; k++) {
                assertThat(t.request(WsClient.typing(ch)).getString("type")).isEqualTo("ack");
            }
            List<JsonObject> seen = r.drain("typing", 1_000);
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0).getLong("userId")).isEqualTo(typist.id());
            i.assertNothingArrives("typing", 200, "typing reaches no one who is not subscribed");
            o.assertNothingArrives("typing", 200, "typing stays in its channel");
            t.assertNothingArrives("typing", 200, "typing is not echoed to the typer");
        }
    }

    @Test
    @DisplayName("unread counts follow sends, reads and deletes; a read moves the marker on the user's other connection")
    void unreadAndReadMarkers() {
        Api.User sender = api.signup("sender");
        Api.User reader = api.signup("reader");
        long ch = api.createChannel(sender, "private", "unread", reader.id());
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seqs.add(api.sendMessage(sender, ch, "m" + i).getLong("seq"));
        }
        assertThat(unread(reader, ch)).isEqualTo(6);
        api.send("DELETE", "/channels/" + ch + "/messages/" + seqs.get(5), sender.token(), null);
        assertThat(unread(reader, ch)).as("a deleted message is not unread").isEqualTo(5);
        api.sendMessage(reader, ch, "my own");
        assertThat(unread(reader, ch)).as("sending reads everything before").isZero();
        api.sendMessage(sender, ch, "new");
        assertThat(unread(reader, ch)).isEqualTo(1);
        assertThat(unread(sender, ch)).as("sending marks everything before it read").isZero();

        try (WsClient onA = WsClient.connect(a.vertx, a.port, reader.token());
             WsClient onB = WsClient.connect(b.vertx, b.port, reader.token());
             WsClient senderSocket = WsClient.connect(b.vertx, b.port, sender.token())) {
            onA.request(subscribe(ch));
            onB.request(subscribe(ch));
            senderSocket.request(subscribe(ch));
            long last = api.get("/channels/" + ch, reader.token()).json().getLong("lastSeq");
            JsonObject ack = onA.request(read(ch, last));
            assertThat(ack.getLong("lastReadSeq")).isEqualTo(last);
            JsonObject moved = onB.next("read");
            assertThat(moved.getLong("lastReadSeq")).isEqualTo(last);
            // in a private channel the other member sees the receipt too
            JsonObject receipt = senderSocket.next("read");
            assertThat(receipt.getLong("userId")).isEqualTo(reader.id());
            assertThat(receipt.getLong("lastReadSeq")).isEqualTo(last);
            assertThat(unread(reader, ch)).isZero();
            assertThat(onA.request(read(ch, 1)).getLong("lastReadSeq"))
                    .as("never back").isEqualTo(last);
        }
    }

    @Test
    @DisplayName("in a public channel a read marker reaches only its user's own connections")
    void readMarkersStayPrivateInPublicChannels() {
        Api.User reader = api.signup("pub_reader");
        Api.User other = api.signup("pub_other");
        long ch = api.createChannel(other, "public", "public-reads", reader.id());
        api.sendMessage(other, ch, "hello all");
        try (WsClient mine = WsClient.connect(a.vertx, a.port, reader.token());
             WsClient theirs = WsClient.connect(b.vertx, b.port, other.token())) {
            mine.request(subscribe(ch));
            theirs.request(subscribe(ch));
            api.post("/channels/" + ch + "/read", reader.token(), new JsonObject().put("seq", 1));
            assertThat(mine.next("read").getLong("lastReadSeq")).isEqualTo(1);
            theirs.assertNothingArrives("read", 500, "a read marker reaches only its user's connections");
        }
    }

    @Test
    @DisplayName("background jobs run once per interval across the cluster, and their runs show in /metrics")
    void jobsRunOnce() {
        long start = System.currentTimeMillis();
        JsonArray before = jobs();
        // a fixed window on purpose: the number of runs within it is what is tested
        io.parley.support.NodeProcess.sleep(5_000);
        JsonArray after = jobs();
        double seconds = (System.currentTimeMillis() - start) / 1000.0;
        long sweeps = runs(after, "presence-sweep") - runs(before, "presence-sweep");
        System.out.println("presence-sweep (interval 1 s) ran " + sweeps + " times in " + seconds + " s on two nodes");
        assertThat(sweeps).as("once per interval, not once per node").isBetween(2L, (long) Math.ceil(seconds / 0.8) + 1);
        String metrics = a.metricsText() + b.metricsText();
        assertThat(metrics).contains("parley_job_duration_seconds_count{job=\"presence-sweep\"")
                .contains("parley_job_last_run_timestamp_seconds{job=\"presence-sweep\"}");
    }

    @Test
    @DisplayName("the purge job deletes sessions and guests a day past their end (guests who posted keep their name)")
    void purge() {
        Api.User guest = api.guest("Passing Through");
        Api.User talker = api.guest("Talker");
        api.post("/channels/1/members", talker.token(), null);
        api.post("/channels/1/messages", talker.token(), new JsonObject().put("body", "hola").put("clientMsgId", "p1"));
        var pool = a.pool();
        try {
            pool.query("UPDATE users SET expires_at = now() - interval '2 days' WHERE id IN (" + guest.id() + "," + talker.id() + ")")
                    .execute().await();
            pool.query("UPDATE sessions SET expires_at = now() - interval '2 days' WHERE user_id IN (" + guest.id() + "," + talker.id() + ")")
                    .execute().await();
            await("the purge job's next run").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        long guests = pool.query("SELECT count(*) AS n FROM users WHERE id IN (" + guest.id() + "," + talker.id() + ")")
                                .execute().await().iterator().next().getLong("n");
                        long sessions = pool.query("SELECT count(*) AS n FROM sessions WHERE user_id IN (" + guest.id() + "," + talker.id() + ")")
                                .execute().await().iterator().next().getLong("n");
                        assertThat(guests).as("the silent guest is deleted, the one who posted stays as the author").isEqualTo(1);
                        assertThat(sessions).isZero();
                    });
        } finally {
            pool.close().await();
        }
    }

    private static JsonArray jobs() {
        var pool = a.pool();
        try {
            JsonArray out = new JsonArray();
            pool.query("SELECT name, runs FROM jobs").execute().await()
                    .forEach(r -> out.add(new JsonObject().put("name", r.getString("name")).put("runs", r.getLong("runs"))));
            return out;
        } finally {
            pool.close().await();
        }
    }

    private static long runs(JsonArray jobs, String name) {
        return jobs.stream().map(o -> (JsonObject) o).filter(j -> name.equals(j.getString("name"))).findFirst().orElseThrow().getLong("runs");
    }

    private static long unread(Api.User u, long ch) {
        JsonArray list = api.get("/channels", u.token()).json().getJsonArray("channels");
        for (int i = 0; i < list.size(); i++) {
            if (list.getJsonObject(i).getLong("id") == ch) {
                return list.getJsonObject(i).getLong("unread");
            }
        }
        throw new AssertionError("channel not listed");
    }
}
