package io.parley.chat;

import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Messages: seqs, pagination, idempotency, edits, deletes, read markers")
class MessageFlowTest {

    static TestNode node;
    static Api api;
    static Api.User alice;
    static Api.User bob;

    @BeforeAll
    static void start() {
        node = TestNode.start(MessageFlowTest.class);
        api = node.api;
        alice = api.signup("alice");
        bob = api.signup("bob");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static List<Long> seqs(JsonObject page) {
        List<Long> out = new ArrayList<>();
        page.getJsonArray("messages").forEach(m -> out.add(((JsonObject) m).getLong("seq")));
        return out;
    }

    @Test
    @DisplayName("200 concurrent sends to one channel get seqs 1..200 exactly")
    void concurrentSeqs() {
        long ch = api.createChannel(alice, "public", "busy", bob.id());
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<CompletableFuture<Resp>> sends = IntStream.range(0, 200).mapToObj(i -> CompletableFuture.supplyAsync(() ->
                    api.post("/channels/" + ch + "/messages", (i % 2 == 0 ? alice : bob).token(),
                            new JsonObject().put("body", "m" + i).put("clientMsgId", "cc-" + i)), pool)).toList();
            List<Long> got = sends.stream().map(CompletableFuture::join)
                    .peek(r -> assertThat(r.status()).isEqualTo(201))
                    .map(r -> r.json().getLong("seq")).sorted().toList();
            assertThat(got).containsExactlyElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
        } finally {
            pool.shutdown();
        }
        assertThat(api.get("/channels/" + ch, alice.token()).json().getLong("lastSeq")).isEqualTo(200);
    }

    @Test
    @DisplayName("a retried send with the same clientMsgId returns the same message, never a second one")
    void idempotentSend() {
        long ch = api.createChannel(alice, "private", "idem", bob.id());
        JsonObject body = new JsonObject().put("body", "only once").put("clientMsgId", "same-id");
        Resp first = api.post("/channels/" + ch + "/messages", alice.token(), body);
        Resp retry = api.post("/channels/" + ch + "/messages", alice.token(), body);
        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().getLong("seq")).isEqualTo(first.json().getLong("seq"));
        assertThat(retry.json().getString("createdAt")).isEqualTo(first.json().getString("createdAt"));
        // the same clientMsgId from another sender is another message
        Resp other = api.post("/channels/" + ch + "/messages", bob.token(), body);
        assertThat(other.status()).isEqualTo(201);
        assertThat(seqs(api.get("/channels/" + ch + "/messages", alice.token()).json())).containsExactly(2L, 1L);
        // and the next new message takes the next seq: the duplicate left no gap
        assertThat(api.sendMessage(alice, ch, "next").getLong("seq")).isEqualTo(3);
    }

    @Test
    @DisplayName("before-cursor pages walk the history newest first with no gap or repeat; after-cursor pages walk forward")
    void pagination() {
        long ch = api.createChannel(alice, "public", "history");
        for (int i = 1; i <= 120; i++) {
            api.sendMessage(alice, ch, "message " + i);
        }
        List<Long> seen = new ArrayList<>();
        String cursor = "";
        boolean more = true;
        int pages = 0;
        while (more) {
            JsonObject page = api.get("/channels/" + ch + "/messages?limit=50" + cursor, alice.token()).json();
            List<Long> s = seqs(page);
            seen.addAll(s);
            more = page.getBoolean("hasMore");
            cursor = "&before=" + s.get(s.size() - 1);
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(LongStream.iterate(120, i -> i - 1).limit(120).boxed().toList());

        List<Long> forward = new ArrayList<>();
        long after = 0;
        more = true;
        while (more) {
            JsonObject page = api.get("/channels/" + ch + "/messages?limit=50&after=" + after, alice.token()).json();
            List<Long> s = seqs(page);
            assertThat(s).isSortedAccordingTo((a, b) -> Long.compare(b, a)); // newest first within a page
            List<Long> asc = new ArrayList<>(s);
            java.util.Collections.reverse(asc);
            forward.addAll(asc);
            after = s.get(0);
            more = page.getBoolean("hasMore");
        }
        assertThat(forward).containsExactlyElementsOf(LongStream.rangeClosed(1, 120).boxed().toList());

        assertThat(seqs(api.get("/channels/" + ch + "/messages?limit=500", alice.token()).json())).hasSize(50);
        assertThat(seqs(api.get("/channels/" + ch + "/messages?limit=0", alice.token()).json())).hasSize(1);
        assertThat(seqs(api.get("/channels/" + ch + "/messages?after=10&before=14", alice.token()).json())).containsExactly(13L, 12L, 11L);
        JsonObject empty = api.get("/channels/" + ch + "/messages?after=120", alice.token()).json();
        assertThat(empty.getJsonArray("messages")).isEmpty();
        assertThat(empty.getBoolean("hasMore")).isFalse();
    }

    @Test
    @DisplayName("authors edit and delete their messages, moderators delete others', other members cannot")
    void editAndDelete() {
        long ch = api.createChannel(alice, "public", "edits", bob.id());
        long bobs = api.sendMessage(bob, ch, "typo heer").getLong("seq");
        long alices = api.sendMessage(alice, ch, "owner says").getLong("seq");

        Resp edit = api.send("PATCH", "/channels/" + ch + "/messages/" + bobs, bob.token(), new JsonObject().put("body", "typo here"));
        assertThat(edit.status()).isEqualTo(200);
        assertThat(edit.json().getString("body")).isEqualTo("typo here");
        assertThat(edit.json().getString("editedAt")).isNotNull();

        Resp forbidden = api.send("PATCH", "/channels/" + ch + "/messages/" + alices, bob.token(), new JsonObject().put("body", "hijack"));
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(api.send("DELETE", "/channels/" + ch + "/messages/" + alices, bob.token(), null).status()).isEqualTo(403);

        Resp modDelete = api.send("DELETE", "/channels/" + ch + "/messages/" + bobs, alice.token(), null);
        assertThat(modDelete.status()).isEqualTo(200);
        assertThat(modDelete.json().getBoolean("deleted")).isTrue();
        JsonObject page = api.get("/channels/" + ch + "/messages", bob.token()).json();
        JsonObject deleted = page.getJsonArray("messages").getJsonObject(1);
        assertThat(deleted.getLong("seq")).isEqualTo(bobs);
        assertThat(deleted.getBoolean("deleted")).isTrue();
        assertThat(deleted.getString("body")).isEmpty();
        assertThat(api.send("PATCH", "/channels/" + ch + "/messages/" + bobs, bob.token(), new JsonObject().put("body", "back")).status()).isEqualTo(409);
        assertThat(api.send("DELETE", "/channels/" + ch + "/messages/999", alice.token(), null).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("read markers only move forward, stop at the last seq, and drive the unread count of the channel list")
    void readMarkers() {
        long ch = api.createChannel(alice, "private", "reads", bob.id());
        for (int i = 0; i < 10; i++) {
            api.sendMessage(alice, ch, "m" + i);
        }
        assertThat(unread(bob, ch)).isEqualTo(10);
        assertThat(unread(alice, ch)).isZero(); // one's own messages are read
        assertThat(read(bob, ch, 4).getLong("lastReadSeq")).isEqualTo(4);
        assertThat(unread(bob, ch)).isEqualTo(6);
        assertThat(read(bob, ch, 2).getLong("lastReadSeq")).isEqualTo(4);
        assertThat(read(bob, ch, 1_000).getLong("lastReadSeq")).isEqualTo(10);
        assertThat(unread(bob, ch)).isZero();
        JsonObject row = channelRow(bob, ch);
        assertThat(row.getJsonObject("lastMessage").getString("body")).isEqualTo("m9");
    }

    @Test
    @DisplayName("owners kick members, who then lose access; members cannot kick the owner")
    void kick() {
        Api.User carol = api.signup("carol");
        long ch = api.createChannel(alice, "private", "kick", bob.id(), carol.id());
        assertThat(api.send("DELETE", "/channels/" + ch + "/members/" + alice.id(), bob.token(), null).status()).isEqualTo(403);
        assertThat(api.send("DELETE", "/channels/" + ch + "/members/" + carol.id(), alice.token(), null).status()).isEqualTo(204);
        assertThat(api.get("/channels/" + ch + "/messages", carol.token()).status()).isEqualTo(404);
        assertThat(api.post("/channels/" + ch + "/members", bob.token(), new JsonObject().put("userId", carol.id())).status()).isEqualTo(403);
        assertThat(api.post("/channels/" + ch + "/members", alice.token(), new JsonObject().put("userId", carol.id())).status()).isEqualTo(200);
        assertThat(api.get("/channels/" + ch + "/messages", carol.token()).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("direct channels: one per pair, named after the peer in the list; guests cannot open one")
    void direct() {
        Api.User dan = api.signup("dan");
        long first = api.post("/direct/" + dan.id(), alice.token(), null).json().getLong("id");
        long again = api.post("/direct/" + alice.id(), dan.token(), null).json().getLong("id");
        assertThat(again).isEqualTo(first);
        JsonObject row = channelRow(alice, first);
        assertThat(row.getString("kind")).isEqualTo("direct");
        assertThat(row.getJsonObject("peer").getLong("id")).isEqualTo(dan.id());
        assertThat(api.post("/direct/" + alice.id(), alice.token(), null).status()).isEqualTo(400);
        assertThat(api.post("/direct/999999", alice.token(), null).status()).isEqualTo(404);
        Api.User g = api.guest("G");
        assertThat(api.post("/direct/" + alice.id(), g.token(), null).status()).isEqualTo(403);
        assertThat(api.post("/channels/" + first + "/members", alice.token(), new JsonObject().put("userId", bob.id())).status()).isEqualTo(403);
        // leaving is not forever: opening the direct channel again brings one back
        assertThat(api.send("DELETE", "/channels/" + first + "/members/" + dan.id(), dan.token(), null).status()).isEqualTo(204);
        assertThat(api.get("/channels/" + first + "/messages", dan.token()).status()).isEqualTo(404);
        assertThat(api.post("/direct/" + alice.id(), dan.token(), null).json().getLong("id")).isEqualTo(first);
        assertThat(api.get("/channels/" + first + "/messages", dan.token()).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("guests cannot be invited into public or private channels")
    void guestInvites() {
        Api.User g = api.guest("Invitee");
        long priv = api.createChannel(alice, "private", "no-guests");
        Resp invite = api.post("/channels/" + priv + "/members", alice.token(), new JsonObject().put("userId", g.id()));
        assertThat(invite.status()).isEqualTo(403);
        assertThat(api.get("/channels/" + priv, g.token()).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("guests join a language room and talk there")
    void guestInRoom() {
        Api.User g = api.guest("Roomie");
        Resp rooms = api.get("/channels/1", g.token());
        assertThat(rooms.status()).isEqualTo(200);
        assertThat(rooms.json().getString("kind")).isEqualTo("room");
        assertThat(api.post("/channels/1/members", g.token(), null).status()).isEqualTo(200);
        assertThat(api.post("/channels/1/messages", g.token(), new JsonObject().put("body", "hola").put("clientMsgId", "g1")).status()).isEqualTo(201);
    }

    private static JsonObject read(Api.User u, long ch, long seq) {
        Resp r = api.post("/channels/" + ch + "/read", u.token(), new JsonObject().put("seq", seq));
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    private static long unread(Api.User u, long ch) {
        return channelRow(u, ch).getLong("unread");
    }

    private static JsonObject channelRow(Api.User u, long ch) {
        JsonArray list = api.get("/channels", u.token()).json().getJsonArray("channels");
        for (int i = 0; i < list.size(); i++) {
            if (list.getJsonObject(i).getLong("id") == ch) {
                return list.getJsonObject(i);
            }
        }
        throw new AssertionError("channel " + ch + " not in the list");
    }
}
