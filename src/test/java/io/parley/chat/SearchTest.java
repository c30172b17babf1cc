package io.parley.chat;

import io.micrometer.core.instrument.Timer;
import io.parley.metrics.Metrics;
import io.parley.support.Api;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Full-text search: only readable channels, newest first, cursor pages, cached while nothing changes")
class SearchTest {

    static TestNode node;
    static Api api;
    static Api.User alice;
    static Api.User bob;
    static long shared;
    static long bobsOwn;

    @BeforeAll
    static void start() {
        node = TestNode.start(SearchTest.class);
        api = node.api;
        alice = api.signup("alice");
        bob = api.signup("bob");
        shared = api.createChannel(alice, "private", "shared", bob.id());
        bobsOwn = api.createChannel(bob, "private", "bob only");
        for (int i = 0; i < 12; i++) {
            api.sendMessage(i % 2 == 0 ? alice : bob, shared, "the deploy number " + i + " went fine");
        }
        api.sendMessage(bob, bobsOwn, "secret deploy plans");
        api.sendMessage(alice, shared, "lunch anyone?");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static JsonObject search(Api.User u, String query) {
        return search(u, query, "");
    }

    private static JsonObject search(Api.User u, String query, String more) {
        Api.Resp r = api.get("/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + more, u.token());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static long queries() {
        return Metrics.registry(node.vertx).find("parley.db.query").timers().stream().mapToLong(Timer::count).sum();
    }

    @Test
    @DisplayName("finds words in the caller's channels only, newest first, and pages with the cursor without gap or repeat")
    void searchAndPage() {
        JsonObject first = search(alice, "deploy", "&limit=5");
        assertThat(first.getJsonArray("results")).hasSize(5);
        assertThat(first.getJsonArray("results").getJsonObject(0).getString("body")).isEqualTo("the deploy number 11 went fine");
        assertThat(first.getJsonArray("results").getJsonObject(0).getString("channelName")).isEqualTo("shared");
        List<Long> seqs = new ArrayList<>();
        JsonObject page = first;
        while (true) {
            page.getJsonArray("results").forEach(o -> seqs.add(((JsonObject) o).getLong("seq")));
            String next = page.getString("nextCursor");
            if (next == null) {
                break;
            }
            page = api.get("/search?q=deploy&limit=5&before=" + next, alice.token()).json();
        }
        assertThat(seqs).containsExactly(12L, 11L, 10L, 9L, 8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L);
        // bob sees his own channel's message too; alice never does
        assertThat(search(bob, "secret").getJsonArray("results")).hasSize(1);
        assertThat(search(alice, "secret").getJsonArray("results")).isEmpty();
        assertThat(api.get("/search?q=secret&channelId=" + bobsOwn, alice.token()).status()).isEqualTo(404);
        assertThat(search(bob, "deploy", "&channelId=" + bobsOwn).getJsonArray("results")).hasSize(1);
    }

    @Test
    @DisplayName("a repeated search costs no query; a new or deleted message shows at once")
    void cachedButFresh() {
        api.get("/channels", alice.token()); // the cache learns alice's channels
        search(alice, "lunch");
        long before = queries();
        assertThat(search(alice, "lunch").getJsonArray("results")).hasSize(1);
        assertThat(queries() - before).as("cached").isZero();
        long seq = api.sendMessage(bob, shared, "lunch at noon").getLong("seq");
        assertThat(search(alice, "lunch").getJsonArray("results")).hasSize(2);
        api.send("DELETE", "/channels/" + shared + "/messages/" + seq, bob.token(), null);
        assertThat(search(alice, "lunch").getJsonArray("results")).hasSize(1);
    }

    @Test
    @DisplayName("a deleted or edited room message leaves the cached search of someone who never joined the room at once")
    void roomEditsReachNonMembers() {
        long en = roomOf(api.get("/lounges/general", alice.token()).json(), "en");
        api.post("/channels/" + en + "/members", bob.token(), null);
        Api.User guest = api.guest("Passer-by"); // in no channel at all: the room is read without joining
        assertThat(api.get("/channels", guest.token()).status()).isEqualTo(200); // the cache learns the guest's (empty) list
        long phone = api.sendMessage(bob, en, "my phone is 555-0100").getLong("seq");
        long plans = api.sendMessage(bob, en, "the picnic is on saturday").getLong("seq");
        assertThat(search(guest, "555-0100").getJsonArray("results")).hasSize(1);
        assertThat(search(guest, "picnic").getJsonArray("results")).hasSize(1);
        long before = queries();
        assertThat(search(guest, "555-0100").getJsonArray("results")).hasSize(1);
        assertThat(queries() - before).as("the repeated search is cached").isZero();

        api.send("DELETE", "/channels/" + en + "/messages/" + phone, bob.token(), null);
        assertThat(search(guest, "555-0100").getJsonArray("results")).as("deleted: gone from the guest's search").isEmpty();
        assertThat(api.send("PATCH", "/channels/" + en + "/messages/" + plans, bob.token(),
                new JsonObject().put("body", "the barbecue is on sunday")).status()).isEqualTo(200);
        assertThat(search(guest, "picnic").getJsonArray("results")).as("edited: the old words no longer find it").isEmpty();
        assertThat(search(guest, "barbecue").getJsonArray("results").getJsonObject(0).getString("body")).isEqualTo("the barbecue is on sunday");
    }

    @Test
    @DisplayName("two searches never share a cache entry, even when their keys hash alike")
    void noSharedEntries() {
        // "Aa" and "BB" have the same String.hashCode and length
        api.sendMessage(alice, shared, "Aa first");
        api.sendMessage(alice, shared, "BB first");
        api.get("/channels", alice.token());
        assertThat(search(alice, "Aa").getJsonArray("results")).hasSize(1);
        assertThat(search(alice, "BB").getJsonArray("results")).hasSize(1);
        api.sendMessage(bob, shared, "Aa second"); // bob: alice's own list version stays, so her cache is in play
        assertThat(search(alice, "BB").getJsonArray("results")).hasSize(1);
        assertThat(search(alice, "Aa").getJsonArray("results")).as("fresh after the new message").hasSize(2);
    }

    @Test
    @DisplayName("bad searches get a 400 with a sentence")
    void badInput() {
        assertThat(api.get("/search", alice.token()).status()).isEqualTo(400);
        assertThat(api.get("/search?q=%20", alice.token()).code()).isEqualTo("validation_failed");
        assertThat(api.get("/search?q=x&before=yesterday", alice.token()).code()).isEqualTo("bad_cursor");
        assertThat(api.get("/search?q=x&channelId=abc", alice.token()).code()).isEqualTo("validation_failed");
        assertThat(api.get("/search?q=" + "x".repeat(201), alice.token()).code()).isEqualTo("validation_failed");
        assertThat(api.get("/search?q=x", null).status()).isEqualTo(401);
        assertThat(api.get("/search?q=x&limit=ten", alice.token()).code()).isEqualTo("validation_failed");
        assertThat(api.get("/search?q=x&channelId=0", alice.token()).code()).isEqualTo("validation_failed");
        assertThat(api.get("/search?q=x&before=", alice.token()).status()).as("an empty cursor is no cursor").isEqualTo(200);
    }

    @Test
    @DisplayName("each room is searched in its language: running finds run in English, corriendo is found by correr in Spanish; rooms are searched without joining")
    void languageAware() {
        JsonObject general = api.get("/lounges/general", alice.token()).json();
        long en = roomOf(general, "en");
        long es = roomOf(general, "es");
        api.post("/channels/" + en + "/members", bob.token(), null);
        api.post("/channels/" + es + "/members", bob.token(), null);
        api.sendMessage(bob, en, "I was running along the river");
        api.sendMessage(bob, es, "estaba corriendo por el parque");
        api.sendMessage(bob, bobsOwn, "running notes, private");

        // alice joined neither room: rooms are read, and searched, without joining
        JsonObject run = search(alice, "run");
        assertThat(run.getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("body")))
                .contains("I was running along the river").doesNotContain("running notes, private");
        assertThat(search(alice, "correr").getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("body")))
                .containsExactly("estaba corriendo por el parque");
        // a channel without a language is searched word for word ('simple'): "run" does not find "running" there
        assertThat(search(bob, "run").getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("body")))
                .doesNotContain("running notes, private");
        assertThat(search(bob, "running").getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("body")))
                .contains("running notes, private", "I was running along the river");
        // language= keeps to the rooms of that language
        assertThat(search(bob, "running", "&language=en").getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("body")))
                .containsExactly("I was running along the river");
        assertThat(search(bob, "corriendo", "&language=en").getJsonArray("results")).isEmpty();
        Api.Resp bad = api.get("/search?q=run&language=english!", bob.token());
        assertThat(bad.code()).isEqualTo("validation_failed");
    }

    private static long roomOf(JsonObject lounge, String language) {
        return lounge.getJsonArray("rooms").stream().map(o -> (JsonObject) o).filter(r -> language.equals(r.getString("language")))
                .findFirst().orElseThrow().getLong("id");
    }
}
