package io.parley.chat;

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

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Roles, mutes and bans over HTTP, what they do to live sockets, and the moderation log. */
@DisplayName("Moderation: roles, mutes, bans and the log")
class ModerationTest {

    static TestNode node;
    static Api api;

    @BeforeAll
    static void start() {
        node = TestNode.start(ModerationTest.class);
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static Resp change(Api.User by, long channelId, long userId, JsonObject body) {
        return api.send("PATCH", "/channels/" + channelId + "/members/" + userId, by.token(), body);
    }

    private static Resp post(Api.User by, long channelId, String body) {
        return api.post("/channels/" + channelId + "/messages", by.token(), new JsonObject().put("body", body));
    }

    @Test
    @DisplayName("the owner appoints a moderator; moderators mute and ban; a ban ends live reading at once and holds against rejoining")
    void rolesMutesBans() {
        Api.User owner = api.signup("modowner");
        Api.User alice = api.signup("modalice");
        Api.User bob = api.signup("modbob");
        long ch = api.createChannel(owner, "public", "moderated");
        api.post("/channels/" + ch + "/members", alice.token(), null);
        api.post("/channels/" + ch + "/members", bob.token(), null);

        // a member cannot moderate; the owner appoints alice
        assertThat(change(bob, ch, alice.id(), new JsonObject().put("banned", true)).code()).isEqualTo("forbidden");
        Resp appointed = change(owner, ch, alice.id(), new JsonObject().put("role", "moderator").put("reason", "helps a lot"));
        assertThat(appointed.status()).as(appointed.body()).isEqualTo(200);
        assertThat(appointed.json().getString("role")).isEqualTo("moderator");
        // a moderator does not appoint, and cannot touch the owner
        assertThat(change(alice, ch, bob.id(), new JsonObject().put("role", "moderator")).code()).isEqualTo("forbidden");
        assertThat(change(alice, ch, owner.id(), new JsonObject().put("banned", true)).code()).isEqualTo("forbidden");
        assertThat(change(alice, ch, alice.id(), new JsonObject().put("banned", true)).code()).as("not oneself").isEqualTo("forbidden");

        try (WsClient ownerWs = WsClient.connect(node.vertx, node.port, owner.token());
             WsClient bobWs = WsClient.connect(node.vertx, node.port, bob.token())) {
            ownerWs.request(WsClient.subscribe(ch));
            bobWs.request(WsClient.subscribe(ch));

            // a mute: bob cannot send until it ends, over HTTP and WebSocket, and is told until when
            String until = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
            Resp muted = change(alice, ch, bob.id(), new JsonObject().put("mutedUntil", until).put("reason", "cool down"));
            assertThat(muted.status()).as(muted.body()).isEqualTo(200);
            assertThat(Instant.parse(muted.json().getString("mutedUntil"))).isEqualTo(Instant.parse(until));
            JsonObject memberEvent = ownerWs.next("member");
            assertThat(memberEvent.getLong("userId")).isEqualTo(bob.id());
            assertThat(memberEvent.getString("mutedUntil")).isNotNull();
            Resp refused = post(bob, ch, "can I speak?");
            assertThat(refused.code()).isEqualTo("muted");
            assertThat(refused.json().getString("detail")).contains("until");
            assertThat(bobWs.request(WsClient.send(ch, "b-1", "still muted?")).getString("code")).isEqualTo("muted");
            assertThat(change(alice, ch, bob.id(), new JsonObject().putNull("mutedUntil")).json().getValue("mutedUntil")).isNull();
            assertThat(post(bob, ch, "thanks").status()).isEqualTo(201);
            assertThat(bobWs.next("message").getString("body")).isEqualTo("thanks");

            // a ban: bob's socket drops the channel at once; the others see the change; bob cannot rejoin or read
            Resp banned = change(alice, ch, bob.id(), new JsonObject().put("banned", true).put("reason", "spam"));
            assertThat(banned.json().getBoolean("banned")).isTrue();
            JsonObject removed = bobWs.next("removed");
            assertThat(removed.getLong("channelId")).isEqualTo(ch);
            assertThat(ownerWs.next(f -> "member".equals(f.getString("type")) && f.getBoolean("banned", false)).getLong("userId"))
                    .isEqualTo(bob.id());
            post(owner, ch, "after the ban");
            bobWs.assertNothingArrives("message", 500, "a message of a channel bob was banned from");
            assertThat(api.post("/channels/" + ch + "/members", bob.token(), null).code()).isEqualTo("banned");
            assertThat(api.get("/channels/" + ch + "/messages", bob.token()).code()).isEqualTo("banned");
            JsonObject resubscribe = bobWs.request(WsClient.subscribe(ch));
            assertThat(resubscribe.getString("code", "")).as(resubscribe.encode()).isEqualTo("banned");
        }

        // unban: bob is a member again
        assertThat(change(alice, ch, bob.id(), new JsonObject().put("banned", false)).json().getBoolean("banned")).isFalse();
        assertThat(post(bob, ch, "back").status()).isEqualTo(201);

        // the owner hands the channel over: alice owns it, the old owner moderates
        assertThat(change(owner, ch, alice.id(), new JsonObject().put("role", "owner")).json().getString("role")).isEqualTo("owner");
        assertThat(api.get("/channels/" + ch, owner.token()).json().getString("role")).isEqualTo("moderator");
        assertThat(change(owner, ch, bob.id(), new JsonObject().put("role", "moderator")).code()).as("no longer the owner")
                .isEqualTo("forbidden");

        // the log: every action, newest first, for owners and moderators only
        Resp log = api.get("/channels/" + ch + "/moderation/log", alice.token());
        assertThat(log.status()).as(log.body()).isEqualTo(200);
        JsonArray actions = log.json().getJsonArray("actions");
        assertThat(actions.stream().map(o -> ((JsonObject) o).getString("action")))
                .containsExactly("transfer", "unban", "ban", "unmute", "mute", "appoint");
        JsonObject ban = actions.getJsonObject(2);
        assertThat(ban.getLong("actorId")).isEqualTo(alice.id());
        assertThat(ban.getLong("targetId")).isEqualTo(bob.id());
        assertThat(ban.getString("reason")).isEqualTo("spam");
        JsonObject page = api.get("/channels/" + ch + "/moderation/log?limit=2", owner.token()).json();
        assertThat(page.getJsonArray("actions")).hasSize(2);
        long next = page.getLong("nextBefore");
        assertThat(api.get("/channels/" + ch + "/moderation/log?limit=2&before=" + next, owner.token()).json().getJsonArray("actions")
                .getJsonObject(0).getString("action")).isEqualTo("ban");
        assertThat(api.get("/channels/" + ch + "/moderation/log", bob.token()).code()).isEqualTo("forbidden");
    }

    @Test
    @DisplayName("bad moderation requests get a 400 that says what is wrong")
    void badInput() {
        Api.User owner = api.signup("modbad");
        Api.User m = api.signup("modbadm");
        long ch = api.createChannel(owner, "private", "strict", m.id());
        for (JsonObject body : List.of(new JsonObject(), new JsonObject().put("role", "king"),
                new JsonObject().put("mutedUntil", "tomorrow"), new JsonObject().put("mutedUntil", "2001-01-01T00:00:00Z"),
                new JsonObject().put("banned", "yes"))) {
            Resp r = change(owner, ch, m.id(), body);
            assertThat(r.status()).as(body.encode() + " " + r.body()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("validation_failed");
        }
        assertThat(change(owner, ch, 999_999_999L, new JsonObject().put("role", "moderator")).code()).isEqualTo("not_found");
    }

    @Test
    @DisplayName("a ban in a room holds for a guest who only reads it: no history, no subscription, no join")
    void banAReader() {
        // the seeded rooms have no owner: an admin moderates them
        Api.User admin = node.admin("roomowner");
        long room = api.get("/lounges", admin.token()).json().getJsonArray("lounges").getJsonObject(0).getJsonArray("rooms")
                .getJsonObject(0).getLong("id");
        Api.User guest = api.guest("Reader");
        assertThat(api.get("/channels/" + room + "/messages", guest.token()).status()).isEqualTo(200);
        Resp ban = change(admin, room, guest.id(), new JsonObject().put("banned", true));
        assertThat(ban.status()).as(ban.body()).isEqualTo(200);
        assertThat(api.get("/channels/" + room + "/messages", guest.token()).code()).isEqualTo("banned");
        assertThat(api.post("/channels/" + room + "/members", guest.token(), null).code()).isEqualTo("banned");
        try (WsClient ws = WsClient.connect(node.vertx, node.port, guest.token())) {
            assertThat(ws.request(WsClient.subscribe(room)).getString("code", "")).isEqualTo("banned");
        }
    }

    @Test
    @DisplayName("an admin makes a lounge moderator, who moderates every room of the lounge without joining it")
    void loungeModerators() {
        Api.User admin = node.admin("loungeboss");
        Api.User keeper = api.signup("keeper");
        Api.User chatty = api.signup("chatty");

        long room = api.get("/lounges/general", keeper.token()).json().getJsonArray("rooms").getJsonObject(1).getLong("id");
        api.post("/channels/" + room + "/members", chatty.token(), null);
        long seq = api.sendMessage(chatty, room, "buy cheap watches").getLong("seq");

        // not yet a moderator: refused
        assertThat(change(keeper, room, chatty.id(), new JsonObject().put("banned", true)).status()).isIn(403);
        assertThat(api.send("PUT", "/lounges/general/moderators/" + keeper.id(), keeper.token(), null).code()).isEqualTo("forbidden");
        Resp made = api.send("PUT", "/lounges/general/moderators/" + keeper.id(), admin.token(), null);
        assertThat(made.status()).as(made.body()).isEqualTo(200);
        assertThat(made.json().getJsonArray("moderators").stream().map(o -> ((Number) o).longValue())).contains(keeper.id());
        assertThat(api.get("/lounges/general", chatty.token()).json().getJsonArray("moderators").stream()
                .map(o -> ((Number) o).longValue())).as("listed for everyone").contains(keeper.id());
        assertThat(api.send("PUT", "/lounges/general/moderators/999999999", admin.token(), null).code()).isEqualTo("not_found");

        // the lounge moderator, not a member of the room: deletes the spam, mutes, bans, reads the log
        Resp deleted = api.send("DELETE", "/channels/" + room + "/messages/" + seq, keeper.token(), null);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.json().getBoolean("deleted")).isTrue();
        assertThat(change(keeper, room, chatty.id(), new JsonObject().put("banned", true).put("reason", "spam")).status()).isEqualTo(200);
        assertThat(api.get("/channels/" + room + "/moderation/log", keeper.token()).json().getJsonArray("actions").getJsonObject(0)
                .getString("action")).isEqualTo("ban");
        assertThat(change(keeper, room, chatty.id(), new JsonObject().put("role", "moderator")).code())
                .as("roles stay with the room's owner and admins").isEqualTo("forbidden");

        // no longer a moderator: refused again
        assertThat(api.send("DELETE", "/lounges/general/moderators/" + keeper.id(), admin.token(), null).json()
                .getJsonArray("moderators").stream().map(o -> ((Number) o).longValue())).doesNotContain(keeper.id());
        assertThat(change(keeper, room, chatty.id(), new JsonObject().put("banned", false)).status()).isEqualTo(403);
        assertThat(api.send("DELETE", "/lounges/general/moderators/" + keeper.id(), admin.token(), null).code()).isEqualTo("not_found");
    }
}
