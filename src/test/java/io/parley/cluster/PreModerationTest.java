package io.parley.cluster;

import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pre-moderation end to end on two clustered nodes: a guest's message in a room that holds guests' messages
 * takes its seq but reaches only its author and the moderators whole (the others get its place, a
 * {@code held} frame), waits in the moderation queue, and is delivered to everyone at its seq once a
 * lounge moderator on the other node approves it; a rejected one stays hidden and its author is told.
 */
@DisplayName("Pre-moderation across nodes (two Hazelcast nodes in one JVM)")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreModerationTest {

    private List<TestNode> nodes;
    private TestNode a;
    private TestNode b;
    private Api.User admin;

    @BeforeAll
    void start() {
        nodes = TestNode.startCluster(PreModerationTest.class, 2, json -> { });
        a = nodes.get(0);
        b = nodes.get(1);
        admin = a.admin("pmboss");
    }

    @AfterAll
    void stop() {
        TestNode.closeAll(nodes);
    }

    private static Predicate<JsonObject> frame(String type, long seq) {
        return f -> type.equals(f.getString("type")) && f.getLong("seq", -1L) == seq;
    }

    /** A lounge with one Spanish room, {@code mod} its lounge moderator; answers the room's id. */
    private long room(String slug, Api.User mod) {
        assertThat(a.api.post("/lounges", admin.token(), new JsonObject().put("slug", slug).put("name", slug)).status()).isEqualTo(201);
        Resp room = a.api.post("/lounges/" + slug + "/rooms", admin.token(), new JsonObject().put("language", "es"));
        assertThat(room.status()).isEqualTo(201);
        assertThat(a.api.send("PUT", "/lounges/" + slug + "/moderators/" + mod.id(), admin.token(), null).status()).isIn(200, 204);
        return room.json().getLong("id");
    }

    private static JsonArray history(TestNode n, Api.User u, long room) {
        Resp r = n.api.get("/channels/" + room + "/messages", u.token());
        assertThat(r.status()).isEqualTo(200);
        return r.json().getJsonArray("messages");
    }

    private static JsonObject item(JsonArray messages, long seq) {
        return messages.stream().map(o -> (JsonObject) o).filter(m -> m.getLong("seq") == seq).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("a guest's message is held, shown only as its place to others, approved on the other node and delivered to all at its seq")
    void heldThenApproved() {
        Api.User mod = b.api.signup("pmmod");
        Api.User member = a.api.signup("pmmember");
        Api.User reader = b.api.signup("pmreader");
        Api.User speaker = a.api.signup("pmspeaker");
        long room = room("premod", mod);

        // the setting: moderators (here the lounge's) set it; others are refused; a bad value is explained
        Resp bad = b.api.send("PATCH", "/channels/" + room, mod.token(), new JsonObject().put("premoderation", "sometimes"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().getString("detail")).contains("guests");
        assertThat(a.api.send("PATCH", "/channels/" + room, member.token(), new JsonObject().put("premoderation", "all")).status())
                .isEqualTo(403);
        Resp set = b.api.send("PATCH", "/channels/" + room, mod.token(), new JsonObject().put("premoderation", "guests"));
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().getString("premoderation")).isEqualTo("guests");

        Api.User guest = a.api.guest("Visitante");
        assertThat(a.api.post("/channels/" + room + "/members", guest.token(), null).status()).isEqualTo(200);
        assertThat(a.api.post("/channels/" + room + "/members", member.token(), null).status()).isEqualTo(200);
        assertThat(a.api.post("/channels/" + room + "/members", speaker.token(), null).status()).isEqualTo(200);

        try (WsClient guestWs = WsClient.connect(a.vertx, a.port, guest.token());
             WsClient modWs = WsClient.connect(b.vertx, b.port, mod.token());
             WsClient readerWs = WsClient.connect(b.vertx, b.port, reader.token())) {
            for (WsClient ws : List.of(guestWs, modWs, readerWs)) {
                assertThat(ws.request(WsClient.subscribe(room)).getString("type")).isEqualTo("ack");
            }
            // a member's message is not held
            a.api.sendMessage(speaker, room, "uno");
            assertThat(readerWs.next(frame("message", 1)).getString("body")).isEqualTo("uno");

            // the guest's is: it takes seq 2 and the ack says it waits
            JsonObject ack = guestWs.request(WsClient.send(room, "g-1", "hola a todos @" + member.handle()));
            assertThat(ack.getString("type")).isEqualTo("ack");
            assertThat(ack.getLong("seq")).isEqualTo(2);
            assertThat(ack.getString("status")).isEqualTo("pending");
            JsonObject own = guestWs.next(frame("message", 2));
            assertThat(own.getString("status")).isEqualTo("pending");
            JsonObject forMod = modWs.next(frame("message", 2));
            assertThat(forMod.getString("body")).startsWith("hola a todos");
            assertThat(forMod.getString("status")).isEqualTo("pending");
            JsonObject place = readerWs.next(frame("held", 2));
            assertThat(place.getString("status")).isEqualTo("pending");
            assertThat(place.containsKey("body")).isFalse();

            // the next message comes after the held place, in seq order, with no gap and no resync
            a.api.sendMessage(speaker, room, "tres");
            assertThat(readerWs.next(frame("message", 3)).getString("body")).isEqualTo("tres");

            // history: the place for others, the message for its author and the moderator
            JsonArray forReader = history(b, reader, room);
            assertThat(forReader.size()).isEqualTo(3);
            assertThat(item(forReader, 2)).isEqualTo(new JsonObject().put("channelId", room).put("seq", 2).put("held", true)
                    .put("status", "pending"));
            assertThat(item(history(a, guest, room), 2).getString("status")).isEqualTo("pending");
            assertThat(item(history(b, mod, room), 2).getString("body")).startsWith("hola");
            // nothing of it in search, in the member's unread count or mentions, or as anyone's last message
            assertThat(a.api.get("/search?q=hola&channelId=" + room, member.token()).json().getJsonArray("results")).isEmpty();
            JsonObject memberChannel = a.api.get("/channels/" + room, member.token()).json();
            assertThat(memberChannel.getLong("unread")).isEqualTo(2);
            assertThat(memberChannel.getLong("mentions")).isZero();
            // the author cannot edit it (an edit is announced to everyone)
            Resp edit = a.api.send("PATCH", "/channels/" + room + "/messages/2", guest.token(), new JsonObject().put("body", "x"));
            assertThat(edit.status()).isEqualTo(409);
            assertThat(edit.json().getString("detail")).contains("awaiting moderation");

            // the queue: moderators only
            assertThat(b.api.get("/channels/" + room + "/moderation", reader.token()).status()).isEqualTo(403);
            JsonArray queue = b.api.get("/channels/" + room + "/moderation", mod.token()).json().getJsonArray("messages");
            assertThat(queue.size()).isEqualTo(1);
            assertThat(queue.getJsonObject(0).getLong("seq")).isEqualTo(2);

            // approving: only moderators, only what is pending
            assertThat(b.api.post("/channels/" + room + "/messages/2/approve", reader.token(), null).status()).isEqualTo(403);
            Resp never = b.api.post("/channels/" + room + "/messages/1/approve", mod.token(), null);
            assertThat(never.status()).isEqualTo(409);
            assertThat(never.json().getString("code")).isEqualTo("not_pending");
            assertThat(b.api.post("/channels/" + room + "/messages/99/approve", mod.token(), null).status()).isEqualTo(404);
            Resp approved = b.api.post("/channels/" + room + "/messages/2/approve", mod.token(), new JsonObject().put("reason", "fine"));
            assertThat(approved.status()).isEqualTo(200);
            assertThat(approved.json().containsKey("status")).isFalse();
            assertThat(b.api.post("/channels/" + room + "/messages/2/approve", mod.token(), null).code()).isEqualTo("not_pending");

            // everyone gets it whole, at its own seq, on both nodes; its mention is made now
            JsonObject late = readerWs.next(frame("approved", 2));
            assertThat(late.getString("body")).startsWith("hola a todos");
            assertThat(late.getLong("senderId")).isEqualTo(guest.id());
            assertThat(guestWs.next(frame("approved", 2)).containsKey("status")).isFalse();
            assertThat(item(history(b, reader, room), 2).getString("body")).startsWith("hola a todos");
            JsonObject after = a.api.get("/channels/" + room, member.token()).json();
            assertThat(after.getLong("mentions")).isEqualTo(1);
            assertThat(after.getLong("unread")).isEqualTo(3);
            assertThat(a.api.get("/search?q=hola&channelId=" + room, member.token()).json().getJsonArray("results")).hasSize(1);

            // a rejected message stays hidden; its author is told
            JsonObject spam = guestWs.request(WsClient.send(room, "g-2", "compra ahora"));
            assertThat(spam.getLong("seq")).isEqualTo(4);
            assertThat(readerWs.next(frame("held", 4)).getString("status")).isEqualTo("pending");
            Resp rejected = b.api.post("/channels/" + room + "/messages/4/reject", mod.token(), new JsonObject().put("reason", "spam"));
            assertThat(rejected.status()).isEqualTo(200);
            assertThat(rejected.json().getString("status")).isEqualTo("rejected");
            assertThat(guestWs.next(frame("rejected", 4)).getLong("senderId")).isEqualTo(guest.id());
            assertThat(item(history(b, reader, room), 4).getBoolean("held")).isTrue();
            assertThat(b.api.get("/channels/" + room + "/moderation", mod.token()).json().getJsonArray("messages")).isEmpty();
        }

        // the log has the setting and both decisions, with the messages they decided
        JsonArray log = b.api.get("/channels/" + room + "/moderation/log", mod.token()).json().getJsonArray("actions");
        assertThat(log.stream().map(o -> ((JsonObject) o).getString("action"))).containsExactly("reject", "approve", "premoderation");
        assertThat(log.getJsonObject(0).getLong("seq")).isEqualTo(4);
        assertThat(log.getJsonObject(0).getLong("targetId")).isEqualTo(guest.id());
        assertThat(log.getJsonObject(0).getString("reason")).isEqualTo("spam");

        // a replay shows every seq once: the approved message whole, the rejected one as its place
        try (WsClient again = WsClient.connect(a.vertx, a.port, reader.token())) {
            assertThat(again.request(WsClient.subscribeSince(room, 0)).getString("type")).isEqualTo("ack");
            assertThat(again.next(frame("message", 1)).getString("body")).isEqualTo("uno");
            assertThat(again.next(frame("message", 2)).getString("body")).startsWith("hola a todos");
            assertThat(again.next(frame("message", 3)).getString("body")).isEqualTo("tres");
            assertThat(again.next(frame("held", 4)).getString("status")).isEqualTo("rejected");
        }
    }

    @Test
    @DisplayName("a socket away while a held message is approved is given the approval when it resumes with since")
    void approvalMissedWhileAway() {
        Api.User mod = a.api.signup("pmmod2");
        Api.User reader = b.api.signup("pmreader2");
        long room = room("premod-away", mod);
        assertThat(a.api.send("PATCH", "/channels/" + room, admin.token(), new JsonObject().put("premoderation", "all")).status())
                .isEqualTo(200);
        Api.User author = a.api.signup("pmauthor");
        assertThat(a.api.post("/channels/" + room + "/members", author.token(), null).status()).isEqualTo(200);
        assertThat(a.api.post("/channels/" + room + "/members", mod.token(), null).status()).isEqualTo(200);

        long since;
        try (WsClient readerWs = WsClient.connect(b.vertx, b.port, reader.token())) {
            assertThat(readerWs.request(WsClient.subscribe(room)).getString("type")).isEqualTo("ack");
            // with "all", a member's message is held too (its moderator's would not be)
            assertThat(a.api.sendMessage(author, room, "espera").getString("status")).isEqualTo("pending");
            since = readerWs.next(frame("held", 1)).getLong("seq");
        }
        assertThat(a.api.post("/channels/" + room + "/messages/1/approve", mod.token(), null).status()).isEqualTo(200);
        assertThat(a.api.sendMessage(mod, room, "gracias").containsKey("status")).isFalse();

        try (WsClient back = WsClient.connect(b.vertx, b.port, reader.token())) {
            assertThat(back.request(WsClient.subscribeSince(room, since)).getString("type")).isEqualTo("ack");
            assertThat(back.next(frame("approved", 1)).getString("body")).isEqualTo("espera");
            assertThat(back.next(frame("message", 2)).getString("body")).isEqualTo("gracias");
        }
    }
}
