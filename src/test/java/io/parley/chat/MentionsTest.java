package io.parley.chat;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** @handle mentions: the mentioned member's sockets are told, and their channel list counts them until read. */
@DisplayName("Mentions")
class MentionsTest {

    static TestNode node;
    static Api api;

    @BeforeAll
    static void start() {
        node = TestNode.start(MentionsTest.class);
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static JsonObject entry(Api.User u, long channelId) {
        return api.get("/channels", u.token()).json().getJsonArray("channels").stream().map(o -> (JsonObject) o)
                .filter(c -> c.getLong("id") == channelId).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("a member mentioned by @handle gets a mention event on every socket and a count in the channel list, reset by reading")
    void mentionAMember() {
        Api.User alice = api.signup("mentalice");
        Api.User bob = api.signup("mentbob");
        Api.User outsider = api.signup("mentout");
        long ch = api.createChannel(alice, "private", "plans", bob.id());
        long other = api.createChannel(bob, "private", "bob's notes");
        try (WsClient bobWs = WsClient.connect(node.vertx, node.port, bob.token());
             WsClient outsiderWs = WsClient.connect(node.vertx, node.port, outsider.token());
             WsClient aliceWs = WsClient.connect(node.vertx, node.port, alice.token())) {
            // bob's socket is not subscribed to the channel: a mention reaches it anyway
            bobWs.request(WsClient.subscribe(other));
            outsiderWs.request(WsClient.ping());
            aliceWs.request(WsClient.ping());
            long seq = api.sendMessage(alice, ch, "@" + bob.handle() + " and @" + outsider.handle() + " and @" + alice.handle()
                    + ", see mail@" + bob.handle() + " too").getLong("seq");
            JsonObject mention = bobWs.next("mention");
            assertThat(mention.getLong("channelId")).isEqualTo(ch);
            assertThat(mention.getLong("seq")).isEqualTo(seq);
            assertThat(mention.getLong("senderId")).isEqualTo(alice.id());
            assertThat(mention.containsKey("userIds")).as("nobody learns who else was mentioned").isFalse();
            outsiderWs.assertNothingArrives("mention", 300, "a mention of a non-member");
            aliceWs.assertNothingArrives("mention", 100, "the sender's own mention of themselves");
        }
        assertThat(entry(bob, ch).getLong("mentions")).isEqualTo(1);
        assertThat(entry(alice, ch).getLong("mentions")).isZero();
        // a second mention counts; reading past both resets the count
        long seq2 = api.sendMessage(alice, ch, "hey @" + bob.handle().toUpperCase()).getLong("seq");
        assertThat(entry(bob, ch).getLong("mentions")).as("handles match regardless of case").isEqualTo(2);
        api.post("/channels/" + ch + "/read", bob.token(), new JsonObject().put("seq", seq2 - 1));
        assertThat(entry(bob, ch).getLong("mentions")).isEqualTo(1);
        api.post("/channels/" + ch + "/read", bob.token(), new JsonObject().put("seq", seq2));
        assertThat(entry(bob, ch).getLong("mentions")).isZero();
        assertThat(api.get("/channels/" + ch, bob.token()).json().getLong("mentions")).isZero();
        // the same message sent again (same clientMsgId) mentions nobody again
        JsonObject once = api.post("/channels/" + ch + "/messages", alice.token(),
                new JsonObject().put("body", "@" + bob.handle() + " again").put("clientMsgId", "m-once")).json();
        api.post("/channels/" + ch + "/messages", alice.token(), new JsonObject().put("body", "@" + bob.handle() + " again")
                .put("clientMsgId", "m-once"));
        assertThat(entry(bob, ch).getLong("mentions")).isEqualTo(1);
        assertThat(once.getLong("seq")).isGreaterThan(seq2);
    }
}
