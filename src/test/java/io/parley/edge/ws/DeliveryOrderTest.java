package io.parley.edge.ws;

import io.parley.bus.Addresses;
import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Delivery order: a gap the database does not show yet is read again, never skipped; a failed route is retried")
@ExtendWith(VertxExtension.class)
class DeliveryOrderTest {

    static TestNode node;
    static Api api;

    @BeforeAll
    static void start() {
        // long bodies let the slow-consumer test fill a socket's buffers with a few hundred messages
        node = TestNode.start(DeliveryOrderTest.class, json -> json.getJsonObject("messages").put("maxBodyChars", 60_000));
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** A message event as a node publishes it after a commit, for a seq the test chooses. */
    static void publishLive(long channelId, long seq, long senderId) {
        JsonObject event = new JsonObject().put("type", "message").put("channelId", channelId).put("seq", seq)
                .put("senderId", senderId).put("clientMsgId", "live-" + seq).put("body", "live " + seq)
                .put("createdAt", "2026-01-01T00:00:00Z");
        new io.parley.bus.Fanout(node.vertx.eventBus(), node.config.cluster().fanout()).publish(channelId, event.toBuffer(),
                new DeliveryOptions().addHeader("event", "message").addHeader("seq", String.valueOf(seq)));
    }

    /** Commits seqs 2 and 3 of the channel straight into the database, as a node would, without publishing them. */
    static void commitWithoutPublishing(long ch, Api.User user) {
        var pool = node.pool();
        try {
            pool.preparedQuery("INSERT INTO messages (channel_id, seq, sender_id, client_msg_id, body)"
                    + " VALUES ($1, 2, $2, 'c-2', 'two'), ($1, 3, $2, 'c-3', 'three')").execute(Tuple.of(ch, user.id())).await();
            pool.preparedQuery("UPDATE channels SET last_seq = 3 WHERE id = $1").execute(Tuple.of(ch)).await();
        } finally {
            pool.close().await();
        }
    }

    @Test
    @DisplayName("seq 3 arrives while seq 2 is committed but not yet visible: the client still gets 2 then 3, once each")
    void gapNotYetVisible() throws Exception {
        Api.User user = api.signup("order");
        long ch = api.createChannel(user, "private", "order");
        api.sendMessage(user, ch, "one");
        try (WsClient ws = WsClient.connect(node.vertx, node.port, user.token())) {
            ws.request(WsClient.subscribe(ch));
            // seq 3 is published; the catch-up for the missing 2 reads the database before 2 and 3 are visible,
            // finds nothing and is retried: that retry is the state the commit below must come after
            double retriesBefore = recovery("catchup_retry");
            publishLive(ch, 3, user.id());
            await("a catch-up read that found the gap still empty").atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(5)).until(() -> recovery("catchup_retry") > retriesBefore);
            commitWithoutPublishing(ch, user);
            publishLive(ch, 2, user.id());
            List<Long> seqs = ws.drain("message", 4_000).stream().map(m -> m.getLong("seq")).toList();
            assertThat(seqs).as("every seq once, in order (close code %s, other frames %s)", ws.closeCode, ws.drain("error", 10))
                    .containsExactly(2L, 3L);
        }
    }

    @Test
    @DisplayName("a route registration that fails is retried; one that keeps failing fails the subscribe, and the next subscribe registers afresh")
    @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
    void failedRegistration(Vertx vertx, VertxTestContext test) {
        AtomicInteger asked = new AtomicInteger();
        AtomicInteger failFirst = new AtomicInteger(2);
        EdgeHub hub = new EdgeHub(vertx);
        vertx.eventBus().<JsonObject>localConsumer(Addresses.HUB_INTEREST, msg -> {
            asked.incrementAndGet();
            if (failFirst.getAndDecrement() > 0) {
                msg.fail(1001, "registration failed");
            } else {
                msg.reply(true);
            }
        }).completion()
                .compose(v -> subscribe(vertx, hub, 7))
                .compose(v -> {
                    assertThat(asked.get()).as("two failures, then success").isEqualTo(3);
                    failFirst.set(100);
                    asked.set(0);
                    return subscribe(vertx, hub, 8).transform(ar -> Future.succeededFuture(ar.cause()));
                })
                .compose(cause -> {
                    assertThat(cause).as("the subscribe fails").isNotNull();
                    assertThat(cause.getMessage()).contains("subscribe again");
                    assertThat(asked.get()).isEqualTo(EdgeHub.REGISTER_ATTEMPTS);
                    failFirst.set(0);
                    return subscribe(vertx, hub, 8);
                })
                .onComplete(test.succeeding(v -> test.verify(() -> {
                    assertThat(asked.get()).as("a later subscribe asks again instead of reusing the failed route")
                            .isEqualTo(EdgeHub.REGISTER_ATTEMPTS + 1);
                    test.completeNow();
                })));
    }

    /** A subscribe of {@code hub} to {@code channelId}, made on an event loop as the hub's callers do. */
    private static Future<Void> subscribe(Vertx vertx, EdgeHub hub, long channelId) {
        return Future.future(p -> vertx.runOnContext(v -> hub.subscribe(channelId, null).onComplete(p)));
    }

    static double recovery(String event) {
        var counter = io.parley.metrics.Metrics.registry(node.vertx).find("parley.ws.recovery").tag("event", event).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    @DisplayName("a socket that stops reading is closed with 1013 and counted, while another of its channel keeps getting every message quickly")
    void slowConsumer() {
        Api.User user = api.signup("slow");
        long ch = api.createChannel(user, "private", "slow");
        double before = recovery("slow_close");
        try (WsClient stalled = WsClient.connectRaw(node.port, user.token(), 4096);
             WsClient reader = WsClient.connect(node.vertx, node.port, user.token())) {
            // subscribed, and never read from again
            stalled.send(WsClient.subscribe(ch).put("ref", "s"));
            reader.request(WsClient.subscribe(ch));
            String body = "x".repeat(50_000);
            long worstMillis = 0;
            int sent = 0;
            while (recovery("slow_close") == before && sent < 400) {
                api.sendMessage(user, ch, body + sent);
                sent++;
                long t0 = System.nanoTime();
                JsonObject m = reader.next("message");
                worstMillis = Math.max(worstMillis, (System.nanoTime() - t0) / 1_000_000);
                assertThat(m.getLong("seq")).isEqualTo((long) sent);
            }
            assertThat(recovery("slow_close")).as("the stalled socket was closed for being slow").isEqualTo(before + 1);
            assertThat(sent).as("closed once its queue filled, long before 400 messages").isLessThan(400);
            assertThat(worstMillis).as("the reader's worst wait for a message").isLessThan(2_000);
            // the reader goes on after the stalled socket is gone
            api.sendMessage(user, ch, "after");
            assertThat(reader.next("message").getString("body")).isEqualTo("after");
        }
    }


    @Test
    @DisplayName("a gap seen by 30 sockets of one channel on two edge instances costs one catch-up read for the node, not one per socket or edge")
    void sharedCatchUp() {
        Api.User user = api.signup("herd");
        long ch = api.createChannel(user, "private", "herd");
        api.sendMessage(user, ch, "one");
        List<WsClient> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                WsClient ws = WsClient.connect(node.vertx, node.port, user.token());
                ws.request(WsClient.subscribe(ch));
                sockets.add(ws);
            }
            // seqs 2 and 3 are committed; only 3 is published (its node "lost" the publish of 2)
            commitWithoutPublishing(ch, user);
            long before = node.queryCount();
            publishLive(ch, 3, user.id());
            for (WsClient ws : sockets) {
                assertThat(List.of(ws.next("message").getLong("seq"),
                        ws.next("message").getLong("seq"))).containsExactly(2L, 3L);
            }
            long used = node.queryCount() - before;
            // one shared read for the whole node, whatever its number of edge instances (a second one only if
            // a socket saw the gap just after the first read had answered)
            assertThat(used).as("catch-up reads for 30 sockets on %s edge instances", node.config.http().instances())
                    .isLessThanOrEqualTo(2L);
        } finally {
            sockets.forEach(WsClient::close);
        }
    }
}
