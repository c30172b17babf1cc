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

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lounges and language rooms end to end over HTTP and WebSocket: listing (guests too), what admins do,
 * reading a room without joining, writing only after joining, and a closed lounge or room.
 */
@DisplayName("Lounges and language rooms")
class LoungesTest {

    static TestNode node;
    static Api api;
    static Api.User admin;
    static Api.User user;
    static Api.User guest;

    @BeforeAll
    static void start() {
        node = TestNode.start(LoungesTest.class);
        api = node.api;
        admin = node.admin("loungeadmin");
        user = api.signup("loungeuser");
        guest = api.guest("Lounge Guest");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static JsonObject lounge(Resp list, String slug) {
        return list.json().getJsonArray("lounges").stream().map(o -> (JsonObject) o).filter(l -> slug.equals(l.getString("slug")))
                .findFirst().orElse(null);
    }

    private static JsonObject room(JsonObject lounge, String language) {
        return lounge.getJsonArray("rooms").stream().map(o -> (JsonObject) o).filter(r -> language.equals(r.getString("language")))
                .findFirst().orElse(null);
    }

    @Test
    @DisplayName("a fresh node lists the General lounge with its four language rooms, to users and guests alike")
    void seededLounge() {
        for (Api.User who : List.of(user, guest)) {
            Resp list = api.get("/lounges", who.token());
            assertThat(list.status()).isEqualTo(200);
            JsonObject general = lounge(list, "general");
            assertThat(general).as("the seeded lounge").isNotNull();
            assertThat(general.getJsonArray("rooms").stream().map(o -> ((JsonObject) o).getString("language")))
                    .containsExactly("de", "en", "es", "fr");
            JsonObject en = room(general, "en");
            assertThat(en.getLong("members")).isNotNull();
            assertThat(en.getLong("online")).isNotNull();
            assertThat(api.get("/lounges/general", who.token()).json().getString("name")).isEqualTo("General");
        }
        assertThat(api.get("/lounges", null).status()).isEqualTo(401);
        assertThat(api.get("/lounges/nowhere", user.token()).code()).isEqualTo("not_found");
    }

    @Test
    @DisplayName("admins create a lounge and its rooms; the list shows them at once; others are refused with 403")
    void adminsManage() {
        Resp created = api.post("/lounges", admin.token(), new JsonObject().put("slug", "travel").put("name", "Travel"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().getBoolean("active")).isTrue();
        assertThat(api.post("/lounges", admin.token(), new JsonObject().put("slug", "travel").put("name", "Again")).code())
                .isEqualTo("conflict");
        Resp en = api.post("/lounges/travel/rooms", admin.token(), new JsonObject().put("language", "en").put("topic", "Trips"));
        assertThat(en.status()).as(en.body()).isEqualTo(201);
        assertThat(en.json().getString("name")).isEqualTo("Travel (en)");
        Resp es = api.post("/lounges/travel/rooms", admin.token(), new JsonObject().put("language", "es").put("name", "Viajes"));
        assertThat(es.status()).isEqualTo(201);

        JsonObject travel = lounge(api.get("/lounges", guest.token()), "travel");
        assertThat(travel).as("listed at once, no stale cached list").isNotNull();
        assertThat(room(travel, "en").getString("topic")).isEqualTo("Trips");
        assertThat(room(travel, "es").getString("name")).isEqualTo("Viajes");

        // not an admin: refused, with a sentence; bad input: 400 with what is wrong
        for (Api.User who : List.of(user, guest)) {
            Resp refused = api.post("/lounges", who.token(), new JsonObject().put("slug", "mine").put("name", "Mine"));
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(api.send("PATCH", "/lounges/travel", who.token(), new JsonObject().put("active", false)).status()).isEqualTo(403);
            assertThat(api.post("/lounges/travel/rooms", who.token(), new JsonObject().put("language", "fr")).status()).isEqualTo(403);
        }
        assertThat(api.post("/lounges", admin.token(), new JsonObject().put("slug", "Bad Slug!").put("name", "x")).code())
                .isEqualTo("validation_failed");
        assertThat(api.post("/lounges/travel/rooms", admin.token(), new JsonObject().put("language", "english")).code())
                .isEqualTo("validation_failed");
        assertThat(api.post("/lounges/nowhere/rooms", admin.token(), new JsonObject().put("language", "en")).code()).isEqualTo("not_found");
        assertThat(api.send("PATCH", "/lounges/travel", admin.token(), new JsonObject()).code()).isEqualTo("validation_failed");
        assertThat(api.send("PATCH", "/lounges/travel", admin.token(), new JsonObject().put("active", "no")).code())
                .isEqualTo("validation_failed");

        // rename the lounge, change a room's topic and clear it
        assertThat(api.send("PATCH", "/lounges/travel", admin.token(), new JsonObject().put("name", "Travel & trips")).json()
                .getString("name")).isEqualTo("Travel & trips");
        long enId = en.json().getLong("id");
        assertThat(api.send("PATCH", "/lounges/travel/rooms/" + enId, admin.token(), new JsonObject().putNull("topic")).json()
                .getString("topic")).isNull();
        assertThat(api.send("PATCH", "/lounges/general/rooms/" + enId, admin.token(), new JsonObject().put("name", "x")).code())
                .as("a room of another lounge").isEqualTo("not_found");
        assertThat(lounge(api.get("/lounges", user.token()), "travel").getString("name")).isEqualTo("Travel & trips");
    }

    @Test
    @DisplayName("a room is read without joining (history and live), written only after joining; rooms join the channel list only when joined")
    void readWithoutJoining() {
        api.post("/lounges", admin.token(), new JsonObject().put("slug", "books").put("name", "Books"));
        long roomId = api.post("/lounges/books/rooms", admin.token(), new JsonObject().put("language", "en")).json().getLong("id");
        Api.User writer = api.signup("bookwriter");
        assertThat(api.post("/channels/" + roomId + "/members", writer.token(), null).status()).isEqualTo(200);
        api.sendMessage(writer, roomId, "first page of the book club");

        // a guest and a user who never joined read the history
        for (Api.User reader : List.of(guest, user)) {
            Resp page = api.get("/channels/" + roomId + "/messages", reader.token());
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            assertThat(page.json().getJsonArray("messages").getJsonObject(0).getString("body")).isEqualTo("first page of the book club");
            assertThat(api.get("/channels", reader.token()).json().getJsonArray("channels").stream()
                    .map(o -> ((JsonObject) o).getLong("id"))).as("not in the channel list before joining").doesNotContain(roomId);
        }
        // and follow it live over WebSocket, replay included; writing needs a join
        try (WsClient ws = WsClient.connect(node.vertx, node.port, guest.token())) {
            JsonObject ack = ws.request(WsClient.subscribeSince(roomId, 0));
            assertThat(ack.getString("type")).as(ack.encode()).isEqualTo("ack");
            assertThat(ws.next("message").getString("body")).isEqualTo("first page of the book club");
            api.sendMessage(writer, roomId, "second page");
            assertThat(ws.next("message").getString("body")).isEqualTo("second page");
            JsonObject refused = ws.request(WsClient.send(roomId, "g-1", "can I?"));
            assertThat(refused.getString("code")).isEqualTo("not_a_member");
        }
        assertThat(api.post("/channels/" + roomId + "/messages", guest.token(), new JsonObject().put("body", "hi").put("clientMsgId", "g-2"))
                .code()).isEqualTo("not_a_member");
        assertThat(api.post("/channels/" + roomId + "/members", guest.token(), null).status()).isEqualTo(200);
        assertThat(api.post("/channels/" + roomId + "/messages", guest.token(), new JsonObject().put("body", "hi").put("clientMsgId", "g-3"))
                .status()).isEqualTo(201);
        assertThat(api.get("/channels", guest.token()).json().getJsonArray("channels").stream()
                .map(o -> ((JsonObject) o).getLong("id"))).as("in the list once joined").contains(roomId);
        JsonObject books = lounge(api.get("/lounges", user.token()), "books");
        assertThat(room(books, "en").getLong("members")).as("counts follow within their refresh").isBetween(0L, 2L);
    }

    @Test
    @DisplayName("a closed lounge or room leaves the lists, refuses messages with channel_closed, and keeps its history for when it opens again")
    void closing() {
        api.post("/lounges", admin.token(), new JsonObject().put("slug", "games").put("name", "Games"));
        long roomId = api.post("/lounges/games/rooms", admin.token(), new JsonObject().put("language", "en")).json().getLong("id");
        api.post("/channels/" + roomId + "/members", user.token(), null);
        api.sendMessage(user, roomId, "before the close");

        // the lounge closes: gone from the list, its room refuses messages, subscribes and joins
        assertThat(api.send("PATCH", "/lounges/games", admin.token(), new JsonObject().put("active", false)).json().getBoolean("active"))
                .isFalse();
        assertThat(lounge(api.get("/lounges", user.token()), "games")).isNull();
        assertThat(api.get("/lounges/games", user.token()).code()).isEqualTo("not_found");
        assertThat(api.get("/lounges/games", admin.token()).json().getBoolean("active")).as("admins still see it").isFalse();
        Resp refused = api.post("/channels/" + roomId + "/messages", user.token(), new JsonObject().put("body", "hi").put("clientMsgId", "c-1"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("channel_closed");
        assertThat(refused.json().getString("detail")).contains("closed");
        assertThat(api.post("/channels/" + roomId + "/members", guest.token(), null).code()).isEqualTo("channel_closed");
        assertThat(api.get("/channels", user.token()).json().getJsonArray("channels").stream()
                .map(o -> ((JsonObject) o).getLong("id"))).doesNotContain(roomId);
        try (WsClient ws = WsClient.connect(node.vertx, node.port, user.token())) {
            JsonObject ack = ws.request(WsClient.subscribe(roomId));
            JsonArray failed = ack.getJsonArray("failed", new JsonArray());
            String code = ack.getString("code", failed.isEmpty() ? null : failed.getJsonObject(0).getString("code"));
            assertThat(code).as(ack.encode()).isEqualTo("channel_closed");
        }

        // it opens again: the history is there and it takes messages
        api.send("PATCH", "/lounges/games", admin.token(), new JsonObject().put("active", true));
        assertThat(lounge(api.get("/lounges", user.token()), "games")).isNotNull();
        assertThat(api.get("/channels/" + roomId + "/messages", user.token()).json().getJsonArray("messages").getJsonObject(0)
                .getString("body")).isEqualTo("before the close");
        assertThat(api.post("/channels/" + roomId + "/messages", user.token(), new JsonObject().put("body", "back").put("clientMsgId", "c-2"))
                .status()).isEqualTo(201);

        // one room closes on its own, and stays closed while its lounge closes and opens again
        api.send("PATCH", "/lounges/games/rooms/" + roomId, admin.token(), new JsonObject().put("active", false));
        assertThat(room(lounge(api.get("/lounges", user.token()), "games"), "en")).isNull();
        api.send("PATCH", "/lounges/games", admin.token(), new JsonObject().put("active", false));
        api.send("PATCH", "/lounges/games", admin.token(), new JsonObject().put("active", true));
        assertThat(api.post("/channels/" + roomId + "/messages", user.token(), new JsonObject().put("body", "x").put("clientMsgId", "c-3"))
                .code()).isEqualTo("channel_closed");
        assertThat(api.get("/lounges/games", admin.token()).json().getJsonArray("rooms").getJsonObject(0).getBoolean("active")).isFalse();
    }
}
