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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Membership and moderation cannot be turned against a channel: each attack of the review, tried as the
 * attacker did it, and the table of who may do what to whom (docs/decisions.md) walked row by row.
 */
@DisplayName("Member rules: no way into a channel but the rule, no act on someone one does not outrank")
class MemberRulesTest {

    static TestNode node;
    static Api api;
    static Api.User admin;

    @BeforeAll
    static void start() {
        node = TestNode.start(MemberRulesTest.class, json -> json.getJsonObject("limits").put("nonMemberBansPerUserPerHour", 3));
        api = node.api;
        admin = node.admin("rulesadmin");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static Resp change(Api.User by, long channelId, long userId, JsonObject body) {
        return api.send("PATCH", "/channels/" + channelId + "/members/" + userId, by.token(), body);
    }

    private static Resp remove(Api.User by, long channelId, long userId) {
        return api.send("DELETE", "/channels/" + channelId + "/members/" + userId, by.token(), null);
    }

    private static Resp join(Api.User who, long channelId) {
        return api.post("/channels/" + channelId + "/members", who.token(), null);
    }

    private static Resp post(Api.User by, long channelId, String body) {
        return api.post("/channels/" + channelId + "/messages", by.token(), new JsonObject().put("body", body));
    }

    private static JsonArray usersById(Api.User who, long... ids) {
        StringBuilder q = new StringBuilder();
        for (long id : ids) {
            q.append(q.length() == 0 ? "" : ",").append(id);
        }
        return api.get("/users?ids=" + q, who.token()).json().getJsonArray("users");
    }

    private static List<String> logActions(Api.User by, long channelId) {
        return api.get("/channels/" + channelId + "/moderation/log", by.token()).json().getJsonArray("actions").stream()
                .map(o -> ((JsonObject) o).getString("action")).toList();
    }

    @Test
    @DisplayName("a ban then an unban of someone who never joined adds nothing: no post, no role, no added frame")
    void banUnbanAddsNobody() {
        Api.User alice = api.signup("bualice");
        Api.User bob = api.signup("bubob");
        long pub = api.createChannel(alice, "public", "bu-public");
        join(bob, pub);
        post(bob, pub, "hello");
        Api.User guest = api.guest("Drifter");
        // the guest shares a room with alice, so she can see them (and so may ban them where it has a use)
        long room = api.get("/lounges/general", alice.token()).json().getJsonArray("rooms").getJsonObject(0).getLong("id");
        join(guest, room);
        join(alice, room);

        try (WsClient guestWs = WsClient.connect(node.vertx, node.port, guest.token())) {
            Resp banned = change(alice, pub, guest.id(), new JsonObject().put("banned", true));
            assertThat(banned.status()).as(banned.body()).isEqualTo(200);
            assertThat(banned.json().getBoolean("member")).isFalse();
            Resp lifted = change(alice, pub, guest.id(), new JsonObject().put("banned", false));
            assertThat(lifted.status()).as(lifted.body()).isEqualTo(200);
            assertThat(lifted.json().getBoolean("banned")).isFalse();
            assertThat(lifted.json().getBoolean("member")).as("the ban was all that tied them to the channel").isFalse();

            assertThat(post(guest, pub, "I am in").code()).isEqualTo("not_a_member");
            assertThat(change(alice, pub, guest.id(), new JsonObject().put("role", "owner")).code()).isEqualTo("not_found");
            assertThat(api.get("/channels/" + pub, guest.token()).json().getBoolean("member")).isFalse();
            assertThat(join(guest, pub).code()).as("guests still cannot join channels").isEqualTo("forbidden");
            guestWs.assertNothingArrives("added", 300, "an added frame for a lifted ban");
        }
        assertThat(logActions(alice, pub)).containsExactly("unban", "ban");

        // a member who is banned and unbanned is a member again
        change(alice, pub, bob.id(), new JsonObject().put("banned", true));
        Resp back = change(alice, pub, bob.id(), new JsonObject().put("banned", false));
        assertThat(back.json().getBoolean("member")).isTrue();
        assertThat(post(bob, pub, "back").status()).isEqualTo(201);

        // in a private channel nobody outside can join or read: a ban of a non-member has no use and is refused
        long priv = api.createChannel(alice, "private", "bu-private");
        assertThat(change(alice, priv, guest.id(), new JsonObject().put("banned", true)).code()).isEqualTo("forbidden");
        assertThat(api.get("/channels/" + priv, guest.token()).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("bans and invitations do not walk the user table: unseen ids read as nobody, rooms take no invitations, bans are counted")
    void noWalkOfUsers() {
        Api.User outsider = api.signup("walker");
        Api.User stranger = api.signup("stranger");
        Api.User guest = api.guest("Quiet guest");
        long own = api.createChannel(outsider, "public", "walk-own");

        // a stranger's id and an id of nobody get the same answer
        Resp real = change(outsider, own, stranger.id(), new JsonObject().put("banned", true));
        Resp nobody = change(outsider, own, 999_999_000L, new JsonObject().put("banned", true));
        assertThat(real.status()).isEqualTo(404);
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(real.json().getString("detail").replace(String.valueOf(stranger.id()), "N"))
                .isEqualTo(nobody.json().getString("detail").replace("999999000", "N"));
        assertThat(change(outsider, own, guest.id(), new JsonObject().put("banned", true)).status()).isEqualTo(404);
        assertThat(usersById(outsider, stranger.id(), guest.id())).as("a banned or never-joined user shares nothing").isEmpty();

        // a room member cannot put anyone into the room (room members are visible to everyone)
        long room = api.get("/lounges/general", outsider.token()).json().getJsonArray("rooms").getJsonObject(1).getLong("id");
        join(outsider, room);
        Resp invited = api.post("/channels/" + room + "/members", outsider.token(), new JsonObject().put("userId", stranger.id()));
        assertThat(invited.status()).as(invited.body()).isEqualTo(403);
        assertThat(usersById(outsider, stranger.id())).isEmpty();

        // bans of non-members the moderator can see are allowed where they have a use, and counted (3 an hour here)
        Api.User b1 = api.signup("seen1");
        Api.User b2 = api.signup("seen2");
        Api.User b3 = api.signup("seen3");
        Api.User b4 = api.signup("seen4");
        long shared = api.createChannel(outsider, "private", "walk-shared", b1.id(), b2.id(), b3.id(), b4.id());
        long pub = api.createChannel(outsider, "public", "walk-public");
        for (Api.User u : List.of(b1, b2, b3)) {
            Resp r = change(outsider, pub, u.id(), new JsonObject().put("banned", true));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        Resp fourth = change(outsider, pub, b4.id(), new JsonObject().put("banned", true));
        assertThat(fourth.status()).as(fourth.body()).isEqualTo(429);
        assertThat(fourth.code()).isEqualTo("rate_limited");
    }

    @Test
    @DisplayName("a muted member cannot edit; edits and deletes share the sender's budget")
    void mutedCannotEdit() {
        Api.User owner = api.signup("edowner");
        Api.User talker = api.signup("edtalker");
        long ch = api.createChannel(owner, "public", "edits");
        join(talker, ch);
        long seq = api.sendMessage(talker, ch, "first words").getLong("seq");
        String until = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
        assertThat(change(owner, ch, talker.id(), new JsonObject().put("mutedUntil", until)).status()).isEqualTo(200);

        Resp edit = api.send("PATCH", "/channels/" + ch + "/messages/" + seq, talker.token(), new JsonObject().put("body", "other words"));
        assertThat(edit.status()).as(edit.body()).isEqualTo(403);
        assertThat(edit.code()).isEqualTo("muted");
        assertThat(api.get("/channels/" + ch + "/messages", owner.token()).json().getJsonArray("messages").getJsonObject(0)
                .getString("body")).isEqualTo("first words");
        // deleting one's own words is still allowed
        assertThat(api.send("DELETE", "/channels/" + ch + "/messages/" + seq, talker.token(), null).status()).isEqualTo(200);

        // banned: no edit either
        long seq2;
        change(owner, ch, talker.id(), new JsonObject().putNull("mutedUntil"));
        seq2 = api.sendMessage(talker, ch, "again").getLong("seq");
        change(owner, ch, talker.id(), new JsonObject().put("banned", true));
        assertThat(api.send("PATCH", "/channels/" + ch + "/messages/" + seq2, talker.token(), new JsonObject().put("body", "x")).code())
                .isEqualTo("banned");
    }

    @Test
    @DisplayName("edits come out of the same budget as sends: a burst of them is cut at the send limit")
    void editsShareTheBudget() {
        TestNode tight = TestNode.start(MemberRulesTest.class, json -> json.getJsonObject("ws").put("sendRatePerSecond", 5).put("sendBurst", 10));
        try {
            Api.User owner = tight.api.signup("budget");
            long ch = tight.api.createChannel(owner, "public", "budget");
            long seq = tight.api.sendMessage(owner, ch, "v0").getLong("seq");
            List<CompletableFuture<Resp>> edits = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                int n = i;
                edits.add(CompletableFuture.supplyAsync(() -> tight.api.send("PATCH", "/channels/" + ch + "/messages/" + seq, owner.token(),
                        new JsonObject().put("body", "v" + n))));
            }
            long accepted = edits.stream().map(CompletableFuture::join).filter(r -> r.status() == 200).count();
            long limited = edits.stream().map(CompletableFuture::join).filter(r -> "rate_limited".equals(r.code())).count();
            assertThat(accepted).as("at most the burst and what refills meanwhile").isLessThan(40);
            assertThat(limited).isGreaterThan(20);
            assertThat(accepted + limited).isEqualTo(60);
            Resp del = tight.api.send("DELETE", "/channels/" + ch + "/messages/" + seq, owner.token(), null);
            assertThat(del.status()).as("deletes draw on the same budget").isIn(200, 429);
        } finally {
            tight.close();
        }
    }

    @Test
    @DisplayName("ids of nobody cost quota as real ones do: member lists at creation, invitations and direct channels")
    void probesCostQuota() {
        TestNode tight = TestNode.start(MemberRulesTest.class, json -> json.getJsonObject("limits")
                .put("invitationsPerUserPerHour", 3).put("directChannelsPerUserPerHour", 2));
        try {
            Api.User prober = tight.api.signup("prober");
            Resp first = tight.api.post("/channels", prober.token(), new JsonObject().put("kind", "private").put("name", "p1")
                    .put("memberIds", new JsonArray().add(999_999_001L).add(999_999_002L)));
            assertThat(first.status()).as(first.body()).isEqualTo(400);
            long ch = tight.api.createChannel(prober, "private", "p2");
            assertThat(tight.api.post("/channels/" + ch + "/members", prober.token(), new JsonObject().put("userId", 999_999_003L)).status())
                    .isEqualTo(404);
            Resp spent = tight.api.post("/channels/" + ch + "/members", prober.token(), new JsonObject().put("userId", 999_999_004L));
            assertThat(spent.status()).as("three ids of nobody used the three invitations: " + spent.body()).isEqualTo(429);
            assertThat(tight.api.post("/direct/999999005", prober.token(), null).status()).isEqualTo(404);
            assertThat(tight.api.post("/direct/999999006", prober.token(), null).status()).isEqualTo(404);
            assertThat(tight.api.post("/direct/999999007", prober.token(), null).code()).isEqualTo("rate_limited");
        } finally {
            tight.close();
        }
    }

    @Test
    @DisplayName("a moderator cannot undo the owner: no removal of a fellow moderator, a removal keeps a ban, every removal is logged")
    void moderatorCannotUndoOwner() {
        Api.User owner = api.signup("unowner");
        Api.User dave = api.signup("undave");
        Api.User erin = api.signup("unerin");
        Api.User carol = api.signup("uncarol");
        Api.User frank = api.signup("unfrank");
        long ch = api.createChannel(owner, "public", "undo");
        for (Api.User u : List.of(dave, erin, carol, frank)) {
            join(u, ch);
        }
        change(owner, ch, dave.id(), new JsonObject().put("role", "moderator"));
        change(owner, ch, erin.id(), new JsonObject().put("role", "moderator"));
        change(owner, ch, carol.id(), new JsonObject().put("banned", true));

        assertThat(remove(dave, ch, erin.id()).status()).as("a fellow moderator").isEqualTo(403);
        Resp kick = remove(dave, ch, carol.id());
        assertThat(kick.status()).as(kick.body()).isEqualTo(204);
        assertThat(join(carol, ch).code()).as("the owner's ban stands").isEqualTo("banned");
        assertThat(api.get("/channels/" + ch + "/messages", carol.token()).code()).isEqualTo("banned");
        assertThat(remove(dave, ch, frank.id()).status()).isEqualTo(204);
        assertThat(remove(owner, ch, erin.id()).status()).as("the owner removes a moderator").isEqualTo(204);
        assertThat(logActions(owner, ch)).containsExactly("remove", "remove", "remove", "ban", "appoint", "appoint");
        // the owner lifts the ban of the removed carol: she is left with nothing, and may join again
        assertThat(change(owner, ch, carol.id(), new JsonObject().put("banned", false)).json().getBoolean("member")).isFalse();
        assertThat(join(carol, ch).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("only admins act on lounge moderators, in every room of their lounge")
    void loungeModeratorsAreForAdmins() {
        String slug = "rules" + System.nanoTime() % 100_000;
        assertThat(api.post("/lounges", admin.token(), new JsonObject().put("slug", slug).put("name", "Rules")).status()).isEqualTo(201);
        long room = api.post("/lounges/" + slug + "/rooms", admin.token(), new JsonObject().put("language", "en")).json().getLong("id");
        Api.User keeper = api.signup("lmkeeper");
        Api.User other = api.signup("lmother");
        api.send("PUT", "/lounges/" + slug + "/moderators/" + keeper.id(), admin.token(), null);
        api.send("PUT", "/lounges/" + slug + "/moderators/" + other.id(), admin.token(), null);
        join(other, room);
        assertThat(change(keeper, room, other.id(), new JsonObject().put("banned", true)).status()).isEqualTo(403);
        assertThat(change(keeper, room, other.id(), new JsonObject().put("mutedUntil",
                Instant.now().plus(1, ChronoUnit.HOURS).toString())).status()).isEqualTo(403);
        assertThat(remove(keeper, room, other.id()).status()).isEqualTo(403);
        assertThat(change(admin, room, other.id(), new JsonObject().put("banned", true)).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("smaller holes: a banned user sees a private channel as an outsider, readers do not type, a no-op change is 200")
    void smallerHoles() {
        Api.User owner = api.signup("showner");
        Api.User banned = api.signup("shbanned");
        long priv = api.createChannel(owner, "private", "sh-private", banned.id());
        post(owner, priv, "one");
        change(owner, priv, banned.id(), new JsonObject().put("banned", true));
        post(owner, priv, "two");
        Resp seen = api.get("/channels/" + priv, banned.token());
        assertThat(seen.status()).as(seen.body()).isEqualTo(404);
        assertThat(api.get("/channels/" + priv + "/messages", banned.token()).status()).isEqualTo(404);
        try (WsClient ws = WsClient.connect(node.vertx, node.port, banned.token())) {
            JsonObject sub = ws.request(WsClient.subscribe(priv));
            assertThat(sub.encode()).as("refused as a channel that is not there").contains("not_found").doesNotContain("banned");
        }
        long pub = api.createChannel(owner, "public", "sh-public");
        Api.User pubBanned = api.signup("shpub");
        join(pubBanned, pub);
        change(owner, pub, pubBanned.id(), new JsonObject().put("banned", true));
        JsonObject view = api.get("/channels/" + pub, pubBanned.token()).json();
        assertThat(view.getBoolean("banned")).isTrue();
        assertThat(view.containsKey("unread")).as("no unread count for a banned user").isFalse();

        // a guest reading a room without joining types to nobody; a member's typing reaches the others
        long room = api.get("/lounges/general", owner.token()).json().getJsonArray("rooms").getJsonObject(2).getLong("id");
        Api.User guest = api.guest("Lurker");
        join(owner, room);
        try (WsClient ownerWs = WsClient.connect(node.vertx, node.port, owner.token());
             WsClient guestWs = WsClient.connect(node.vertx, node.port, guest.token())) {
            ownerWs.request(WsClient.subscribe(room));
            guestWs.request(WsClient.subscribe(room));
            JsonObject refused = guestWs.request(WsClient.typing(room));
            assertThat(refused.getString("code", "")).as(refused.encode()).isEqualTo("not_a_member");
            ownerWs.assertNothingArrives("typing", 400, "typing of a reader who never joined");
            join(guest, room);
            assertThat(guestWs.request(WsClient.typing(room)).getString("type")).isNotEqualTo("error");
            assertThat(ownerWs.next("typing").getLong("userId")).isEqualTo(guest.id());
        }

        // a change that changes nothing answers the member as they are
        Api.User calm = api.signup("shcalm");
        join(calm, pub);
        Resp same = change(owner, pub, calm.id(), new JsonObject().put("banned", false));
        assertThat(same.status()).as(same.body()).isEqualTo(200);
        assertThat(same.json().getBoolean("member")).isTrue();
        Resp again = change(owner, pub, calm.id(), new JsonObject().put("role", "member"));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(logActions(owner, pub)).containsExactly("ban");
    }

    @Test
    @DisplayName("a lounge moderator removed by an admin stops receiving held messages whole on an open socket")
    void loungeModeratorRemovalReachesSockets() {
        String slug = "held" + System.nanoTime() % 100_000;
        api.post("/lounges", admin.token(), new JsonObject().put("slug", slug).put("name", "Held"));
        long room = api.post("/lounges/" + slug + "/rooms", admin.token(), new JsonObject().put("language", "en")).json().getLong("id");
        assertThat(api.send("PATCH", "/channels/" + room, admin.token(), new JsonObject().put("premoderation", "guests")).status())
                .isEqualTo(200);
        Api.User keeper = api.signup("hkeeper");
        api.send("PUT", "/lounges/" + slug + "/moderators/" + keeper.id(), admin.token(), null);
        Api.User guest = api.guest("Held guest");
        join(guest, room);
        try (WsClient ws = WsClient.connect(node.vertx, node.port, keeper.token())) {
            ws.request(WsClient.subscribe(room));
            post(guest, room, "first held");
            assertThat(ws.next("message").getString("body")).isEqualTo("first held");
            api.send("DELETE", "/lounges/" + slug + "/moderators/" + keeper.id(), admin.token(), null);
            // the change reaches the socket at once: the next held message comes as its place only
            long deadline = System.currentTimeMillis() + 5000;
            JsonObject next = null;
            while (System.currentTimeMillis() < deadline) {
                post(guest, room, "later held " + System.nanoTime());
                next = ws.next(f -> "held".equals(f.getString("type")) || "message".equals(f.getString("type")), 2000);
                if ("held".equals(next.getString("type"))) {
                    break;
                }
            }
            assertThat(next.getString("type")).isEqualTo("held");
            assertThat(next.containsKey("body")).isFalse();
        }
    }
}
