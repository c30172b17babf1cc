package io.parley.chat;

import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The authorization matrix: member / non-member / guest × public / private / direct, over HTTP (read the
 * channel, read its messages, post) and WebSocket (subscribe, send).
 */
@DisplayName("Channel authorization matrix over HTTP and WebSocket")
class ChannelAuthzTest {

    static TestNode node;
    static Api api;
    static Api.User owner;
    static Api.User member;
    static Api.User outsider;
    static Api.User guest;
    static long publicId;
    static long privateId;
    static long directId;

    @BeforeAll
    static void start() {
        node = TestNode.start(ChannelAuthzTest.class);
        api = node.api;
        owner = api.signup("owner");
        member = api.signup("member");
        outsider = api.signup("outsider");
        guest = api.guest("Guest");
        publicId = api.createChannel(owner, "public", "pub", member.id());
        privateId = api.createChannel(owner, "private", "priv", member.id());
        directId = api.post("/direct/" + member.id(), owner.token(), null).json().getLong("id");
        for (long id : new long[]{publicId, privateId, directId}) {
            api.sendMessage(owner, id, "secret of " + id);
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Stream<Arguments> matrix() {
        // who, channel, can see the channel (GET), can read and post messages
        return Stream.of(
                Arguments.of("member", "public", 200, true),
                Arguments.of("member", "private", 200, true),
                Arguments.of("member", "direct", 200, true),
                Arguments.of("outsider", "public", 200, false),
                Arguments.of("outsider", "private", 404, false),
                Arguments.of("outsider", "direct", 404, false),
                Arguments.of("guest", "public", 200, false),
                Arguments.of("guest", "private", 404, false),
                Arguments.of("guest", "direct", 404, false));
    }

    private static Api.User who(String name) {
        return switch (name) {
            case "member" -> member;
            case "outsider" -> outsider;
            default -> guest;
        };
    }

    private static long channel(String kind) {
        return switch (kind) {
            case "public" -> publicId;
            case "private" -> privateId;
            default -> directId;
        };
    }

    @ParameterizedTest(name = "{0} × {1} over HTTP")
    @MethodSource("matrix")
    @DisplayName("HTTP: who may see a channel, read its messages and post")
    void http(String whoName, String kind, int seeStatus, boolean canRead) {
        Api.User u = who(whoName);
        long id = channel(kind);
        assertThat(api.get("/channels/" + id, u.token()).status()).isEqualTo(seeStatus);
        Resp page = api.get("/channels/" + id + "/messages", u.token());
        Resp post = api.post("/channels/" + id + "/messages", u.token(), new JsonObject().put("body", "hi").put("clientMsgId", "m-" + System.nanoTime()));
        if (canRead) {
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.json().getJsonArray("messages")).isNotEmpty();
            assertThat(post.status()).isEqualTo(201);
        } else {
            int expected = seeStatus == 404 ? 404 : 403;
            assertThat(page.status()).isEqualTo(expected);
            assertThat(page.body()).doesNotContain("secret of");
            assertThat(post.status()).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0} × {1} over WebSocket")
    @MethodSource("matrix")
    @DisplayName("WebSocket: who may subscribe to and send into a channel")
    void websocket(String whoName, String kind, int seeStatus, boolean canRead) {
        Api.User u = who(whoName);
        long id = channel(kind);
        try (WsClient ws = WsClient.connect(node.vertx, node.port, u.token())) {
            JsonObject sub = ws.request(WsClient.subscribeSince(id, 0));
            JsonObject send = ws.request(WsClient.send(id, "w-" + System.nanoTime(), "hello"));
            if (canRead) {
                assertThat(sub.getString("type")).isEqualTo("ack");
                assertThat(send.getString("type")).isEqualTo("ack");
            } else {
                String code = seeStatus == 404 ? "not_found" : "not_a_member";
                assertThat(sub.getString("type")).isEqualTo("error");
                assertThat(sub.getString("code")).isEqualTo(code);
                assertThat(send.getString("type")).isEqualTo("error");
                assertThat(send.getString("code")).isEqualTo(code);
                ws.assertNothingArrives("message", 200, "nothing of a channel the user may not read");
            }
        }
    }

    @ParameterizedTest(name = "{0} joins {1}")
    @MethodSource("matrix")
    @DisplayName("joining: public is open to members of Parley, private and direct are not, guests join rooms only")
    void join(String whoName, String kind, int seeStatus, boolean canRead) {
        if (canRead) {
            return; // already a member
        }
        Api.User u = who(whoName);
        Resp join = api.post("/channels/" + channel(kind) + "/members", u.token(), null);
        if ("outsider".equals(whoName) && "public".equals(kind)) {
            assertThat(join.status()).isEqualTo(200);
            assertThat(api.get("/channels/" + publicId + "/messages", u.token()).status()).isEqualTo(200);
            assertThat(api.send("DELETE", "/channels/" + publicId + "/members/" + u.id(), u.token(), null).status()).isEqualTo(204);
        } else {
            assertThat(join.status()).isIn(403, 404);
        }
    }
}
