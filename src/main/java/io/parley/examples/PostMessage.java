package io.parley.examples;

import com.hazelcast.config.Config;
import io.parley.bus.Addresses;
import io.parley.app.Main;
import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An internal service in a few lines: joins the Parley cluster (same cluster.xml and PARLEY_CLUSTER_*
 * settings as the nodes, as a Hazelcast lite member that holds no data), joins the channel with
 * {@code parley.api.join} when it is public (a private one needs an invitation first), listens on
 * {@code parley.channel.<id>}, posts one message with {@code parley.api.send}, prints the reply and the
 * event it hears, and leaves.
 * <pre>java -cp target/parley.jar io.parley.examples.PostMessage CHANNEL_ID SERVICE_USER_ID "text"</pre>
 */
public final class PostMessage {

    private PostMessage() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PostMessage CHANNEL_ID SERVICE_USER_ID TEXT");
            System.exit(2);
        }
        long channelId = Long.parseLong(args[0]);
        long senderId = Long.parseLong(args[1]);
        String text = args[2];
        System.setProperty("hazelcast.logging.type", "slf4j");
        ParleyConfig config = ConfigLoader.load(System.getenv());
        Config hz = Main.hazelcast(config).setLiteMember(true);
        VertxOptions options = new VertxOptions();
        options.getEventBusOptions().setHost(config.cluster().host());
        Vertx vertx = Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered().await();
        int status = 0;
        try {
            CountDownLatch heard = new CountDownLatch(1);
            MessageConsumer<Buffer> listener = vertx.eventBus().consumer(Addresses.channel(channelId), event -> {
                JsonObject e = new JsonObject(event.body());
                System.out.println("heard " + event.headers().get("event") + ": " + e.encode());
                if ("message".equals(e.getString("type")) && e.getLong("senderId") == senderId) {
                    heard.countDown();
                }
            });
            listener.completion().await();
            try {
                JsonObject joined = vertx.eventBus().<JsonObject>request(Addresses.API_JOIN,
                        new JsonObject().put("channelId", channelId).put("userId", senderId),
                        new DeliveryOptions().setSendTimeout(10_000)).await().body();
                System.out.println("joined: " + joined.encode());
            } catch (ReplyException e) {
                // a private or direct channel cannot be joined, only invited to: post as an invited member
                System.out.println("not joined (code " + e.failureCode() + ": " + e.getMessage() + "); posting as a member");
            }
            JsonObject request = new JsonObject().put("channelId", channelId).put("senderId", senderId)
                    .put("clientMsgId", "svc-" + UUID.randomUUID()).put("body", text);
            try {
                JsonObject reply = vertx.eventBus().<JsonObject>request(Addresses.API_SEND, request,
                        new DeliveryOptions().setSendTimeout(10_000)).await().body();
                System.out.println("sent: " + reply.encode());
                if (!heard.await(10, TimeUnit.SECONDS)) {
                    System.out.println("did not hear the message back within 10 s");
                    status = 1;
                }
            } catch (ReplyException e) {
                System.out.println("refused: code " + e.failureCode() + ": " + e.getMessage());
                status = 1;
            }
        } finally {
            vertx.close().await();
        }
        System.exit(status);
    }
}
