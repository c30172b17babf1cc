package io.parley.edge.ws;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static io.parley.support.WsClient.ping;
import static io.parley.support.WsClient.send;
import static io.parley.support.WsClient.subscribe;
import static io.parley.support.WsClient.subscribeSince;
import static io.parley.support.WsClient.typing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@DisplayName("WebSocket protocol: live delivery, replay with since, acks, errors, limits")
class WebSocketTest {

    static TestNode node;
    static Api api;
    static Api.User alice;
    static Api.User bob;

    @BeforeAll
    static void start() {
        // permessage-deflate is off by default (docs/decisions.md); these tests cover it switched on
        node = TestNode.start(WebSocketTest.class, json -> json.getJsonObject("ws").put("compression", true));
        api = node.api;
        alice = api.signup("alice");
        bob = api.signup("bob");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    @DisplayName("two users see each other's messages live; the sender's ack carries the committed seq")
    void liveBetweenTwoUsers() {
        long ch = api.createChannel(alice, "private", "live", bob.id());
        try (WsClient a = WsClient.connect(node.vertx, node.port, alice.token());
             WsClient b = WsClient.connect(node.vertx, node.port, bob.token())) {
            assertThat(a.request(subscribe(ch)).getString("type")).isEqualTo("ack");
            assertThat(b.request(subscribe(ch)).getString("type")).isEqualTo("ack");
            JsonObject ack = a.request(send(ch, "hello-1", "hi bob"));
            assertThat(ack.getString("type")).isEqualTo("ack");
            assertThat(ack.getLong("seq")).isEqualTo(1);
            // acked means committed: the page already has it
            assertThat(api.get("/channels/" + ch + "/messages", bob.token()).json().getJsonArray("messages")).hasSize(1);
            JsonObject got = b.next("message");
            assertThat(got.getString("body")).isEqualTo("hi bob");
            assertThat(got.getLong("senderId")).isEqualTo(alice.id());
            assertThat(got.getString("clientMsgId")).isEqualTo("hello-1");
            JsonObject echo = a.next("message");
            assertThat(echo.getLong("seq")).isEqualTo(1);

            // a message sent over HTTP reaches the sockets too, and edits and deletes follow it
            long seq = api.sendMessage(bob, ch, "from http").getLong("seq");
            assertThat(a.next("message").getLong("seq")).isEqualTo(seq);
            assertThat(b.next("message").getLong("seq")).isEqualTo(seq);
            api.send("PATCH", "/channels/" + ch + "/messages/" + seq, bob.token(), new JsonObject().put("body", "edited"));
            JsonObject edited = a.next("edited");
            assertThat(edited.getString("body")).isEqualTo("edited");
            api.send("DELETE", "/channels/" + ch + "/messages/" + seq, bob.token(), null);
            assertThat(a.next("deleted").getLong("seq")).isEqualTo(seq);
            // the same clientMsgId again is acked with the same seq and not delivered twice
            JsonObject retry = a.request(send(ch, "hello-1", "hi bob"));
            assertThat(retry.getLong("seq")).isEqualTo(1);
            b.assertNothingArrives("message", 300, "a retried clientMsgId is not delivered again");
        }
    }

    @Test
    @DisplayName("a member removed from a channel stops receiving it at once, and is told so")
    void removedMemberStopsReceiving() {
        long ch = api.createChannel(alice, "private", "kick-live", bob.id());
        try (WsClient b = WsClient.connect(node.vertx, node.port, bob.token())) {
            assertThat(b.request(subscribe(ch)).getString("type")).isEqualTo("ack");
            api.sendMessage(alice, ch, "before the kick");
            assertThat(b.next("message").getString("body")).isEqualTo("before the kick");
            assertThat(api.send("DELETE", "/channels/" + ch + "/members/" + bob.id(), alice.token(), null).status()).isEqualTo(204);
            JsonObject removed = b.next("removed");
            assertThat(removed.getLong("channelId")).isEqualTo(ch);
            api.sendMessage(alice, ch, "after the kick");
            b.assertNothingArrives("message", 500, "a removed member gets no message of the channel");
            JsonObject typing = b.request(typing(ch));
            assertThat(typing.getString("code")).isEqualTo("validation_failed");
        }
    }

    @Test
    @DisplayName("subscribe with since replays exactly what came after it, then goes live")
    void replayWithSince() {
        long ch = api.createChannel(alice, "public", "replay", bob.id());
        for (int i = 1; i <= 5; i++) {
            api.sendMessage(alice, ch, "m" + i);
        }
        try (WsClient b = WsClient.connect(node.vertx, node.port, bob.token())) {
            b.send(subscribeSince(ch, 2).put("ref", "s1"));
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                seqs.add(b.next("message").getLong("seq"));
            }
            assertThat(seqs).containsExactly(3L, 4L, 5L);
            JsonObject ack = b.reply("s1");
            assertThat(ack.getJsonArray("channels").getJsonObject(0).getLong("lastSeq")).isEqualTo(5);
            api.sendMessage(alice, ch, "m6");
            assertThat(b.next("message").getLong("seq")).isEqualTo(6);
        }
    }

    @Test
    @DisplayName("subscribing while 300 messages are being sent: every message arrives once, in seq order")
    void noGapNoDuplicateDuringSubscribe() throws Exception {
        long ch = api.createChannel(alice, "public", "storm", bob.id());
        for (int i = 0; i < 50; i++) {
            api.sendMessage(alice, ch, "before " + i);
        }
        AtomicInteger sent = new AtomicInteger();
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 250; i++) {
                api.sendMessage(i % 2 == 0 ? alice : bob, ch, "during " + i);
                sent.incrementAndGet();
            }
        });
        try (WsClient b = WsClient.connect(node.vertx, node.port, bob.token())) {
            // the stream has started, so the subscribe races it
            await("the first message sent during the subscribe").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1)).until(() -> sent.get() > 0);
            b.send(subscribeSince(ch, 10));
            List<Long> seqs = new ArrayList<>();
            while (seqs.size() < 290) {
                seqs.add(b.next("message").getLong("seq"));
            }
            sender.get();
            b.assertNothingArrives("message", 300, "every message of the channel arrived once");
            assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(11, 300).boxed().toList());
        }
    }

    @Test
    @DisplayName("client mistakes get error frames with codes, answered on the same ref; the socket stays open")
    void errorFrames() {
        try (WsClient a = WsClient.connect(node.vertx, node.port, alice.token())) {
            a.sendText("{not json");
            assertThat(a.next("error").getString("code")).isEqualTo("invalid_json");
            JsonObject unknown = a.request(new JsonObject().put("type", "dance"));
            assertThat(unknown.getString("code")).isEqualTo("unknown_type");
            JsonObject missing = a.request(new JsonObject().put("type", "send").put("body", "x").put("clientMsgId", "c"));
            assertThat(missing.getString("code")).isEqualTo("validation_failed");
            assertThat(missing.getString("message")).contains("channelId");
            JsonObject wrongType = a.request(new JsonObject().put("type", "send").put("channelId", "seven").put("body", "x").put("clientMsgId", "c"));
            assertThat(wrongType.getString("code")).isEqualTo("validation_failed");
            JsonObject notFound = a.request(send(987654, "c", "x"));
            assertThat(notFound.getString("code")).isEqualTo("not_found");
            JsonObject badSub = a.request(new JsonObject().put("type", "subscribe").put("channels", "all"));
            assertThat(badSub.getString("code")).isEqualTo("validation_failed");
            a.ws.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer("bin")).await();
            assertThat(a.next("error").getString("code")).isEqualTo("bad_request");
            JsonObject pong = a.request(ping());
            assertThat(pong.getString("type")).isEqualTo("pong");
            assertThat(a.ws.isClosed()).isFalse();
        }
    }

    @Test
    @DisplayName("a bad token is refused with 401 before the upgrade; a token in Sec-WebSocket-Protocol works")
    void upgradeAuth() {
        WebSocketClient client = node.vertx.createWebSocketClient();
        try {
            assertThatThrownBy(() -> client.connect(node.port, "127.0.0.1", "/ws?token=nope").await())
                    .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
            assertThatThrownBy(() -> client.connect(node.port, "127.0.0.1", "/ws").await())
                    .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
            WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port).setURI("/ws")
                    .setSubProtocols(List.of("parley", "token." + alice.token()))).await();
            assertThat(ws.subProtocol()).isEqualTo("parley");
            ws.close().await();
        } finally {
            client.close().await();
        }
    }

    @Test
    @DisplayName("Origin: another site is refused with 403, the node's own origin and non-browser clients are allowed")
    void origin() {
        WebSocketClient client = node.vertx.createWebSocketClient();
        try {
            WebSocketConnectOptions evil = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port)
                    .setURI("/ws?token=" + alice.token()).addHeader("Origin", "https://evil.example");
            assertThatThrownBy(() -> client.connect(evil).await())
                    .isInstanceOfSatisfying(UpgradeRejectedException.class, e -> assertThat(e.getStatus()).isEqualTo(403));
            WebSocketConnectOptions same = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port)
                    .setURI("/ws?token=" + alice.token()).addHeader("Origin", "http://127.0.0.1:" + node.port);
            client.connect(same).await().close().await();
        } finally {
            client.close().await();
        }
    }

    @Test
    @DisplayName("a message over the limit sent in small fragments also closes with 1009")
    void oversizedFragmentedMessage() {
        try (WsClient a = WsClient.connect(node.vertx, node.port, alice.token())) {
            String chunk = "y".repeat(16 * 1024);
            a.ws.writeFrame(io.vertx.core.http.WebSocketFrame.textFrame(chunk, false));
            for (int i = 0; i < 5; i++) {
                a.ws.writeFrame(io.vertx.core.http.WebSocketFrame.continuationFrame(io.vertx.core.buffer.Buffer.buffer(chunk), i == 4));
            }
            assertThat(a.awaitClose(5_000)).isEqualTo((short) 1009);
        }
    }

    @Test
    @DisplayName("subscribing to several channels: each succeeds or fails on its own, and the ack says which")
    void partialSubscribe() {
        long mine = api.createChannel(alice, "private", "mine");
        long theirs = api.createChannel(bob, "private", "theirs");
        try (WsClient a = WsClient.connect(node.vertx, node.port, alice.token())) {
            JsonObject ack = a.request(subscribe(mine, theirs));
            assertThat(ack.getString("type")).isEqualTo("ack");
            assertThat(ack.getJsonArray("channels").getJsonObject(0).getLong("id")).isEqualTo(mine);
            assertThat(ack.getJsonArray("failed").getJsonObject(0).getLong("id")).isEqualTo(theirs);
            assertThat(ack.getJsonArray("failed").getJsonObject(0).getString("code")).isEqualTo("not_found");
            api.sendMessage(bob, theirs, "not for alice");
            api.sendMessage(alice, mine, "for alice");
            assertThat(a.next("message").getString("body")).isEqualTo("for alice");
            a.assertNothingArrives("message", 300, "nothing of the channel the subscribe was refused");
        }
    }

    @Test
    @DisplayName("a frame over the size limit closes the socket with 1009")
    void oversizedFrame() {
        try (WsClient a = WsClient.connect(node.vertx, node.port, alice.token())) {
            String big = "x".repeat(node.config.ws().maxFrameBytes() + 1);
            a.ws.writeTextMessage(new JsonObject().put("type", "send").put("body", big).encode());
            assertThat(a.awaitClose(5_000)).isEqualTo((short) 1009);
        }
    }

    private static boolean deflateNegotiated(WebSocket ws) {
        io.netty.channel.ChannelPipeline pipeline = ((io.vertx.core.internal.http.WebSocketInternal) ws).channelHandlerContext().pipeline();
        return pipeline.toMap().values().stream().anyMatch(h -> h.getClass().getSimpleName().startsWith("PerMessageDeflate"));
    }

    @Test
    @DisplayName("a small compressed frame that would inflate past the limit is refused with 1009")
    void compressionBomb() {
        WebSocketClientOptions options = new WebSocketClientOptions().setTryUsePerMessageCompression(true)
                .setMaxFrameSize(64 << 20).setMaxMessageSize(64 << 20);
        try (WsClient a = WsClient.connect(node.vertx, node.port, alice.token(), options)) {
            assertThat(deflateNegotiated(a.ws)).as("permessage-deflate negotiated: " + ((io.vertx.core.internal.http.WebSocketInternal) a.ws).channelHandlerContext().pipeline().toMap()).isTrue();
            // 16 MiB of one letter deflates to a few KiB: well under the frame limit on the wire
            a.ws.writeTextMessage("a".repeat(16 << 20));
            assertThat(a.awaitClose(5_000)).isEqualTo((short) 1009);
        }
    }
}
