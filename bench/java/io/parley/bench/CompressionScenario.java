package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * permessage-deflate on or off, same node, same load, one after the other: server CPU and bytes on the
 * wire per delivered message, for live chat traffic (short messages fanned out) and for history replays
 * (subscribe with since=0 to a channel with a long history).
 */
final class CompressionScenario {

    private static final String[] WORDS = ("hi hello ok thanks sure see you later the deploy went fine did you check the logs "
            + "lunch at noon meeting moved to three I will look into it now can you review my change please merged "
            + "yes no maybe tomorrow sounds good on my way").split(" ");

    private final int port;
    private final long pid;
    private final int channels;
    private final int members;
    private final int rate;
    private final int seconds;
    private final int history;
    private final int replayers;
    private final String tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    CompressionScenario(Map<String, String> o) {
        port = Bench.intOpt(o, "port", 8080);
        pid = Long.parseLong(o.getOrDefault("pid", "0"));
        channels = Bench.intOpt(o, "channels", 10);
        members = Bench.intOpt(o, "members", 20);
        rate = Bench.intOpt(o, "rate", 200);
        seconds = Bench.intOpt(o, "seconds", 10);
        history = Bench.intOpt(o, "history", 2000);
        replayers = Bench.intOpt(o, "replayers", 50);
    }

    static String chatLine() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder b = new StringBuilder();
        int n = 3 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    JsonObject run() {
        Vertx vertx = Load.use(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2)));
        HttpClient http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(32));
        try {
            int users = channels * members;
            Bench.log("setup: " + users + " users, " + channels + " channels, " + history + " messages of history");
            List<JsonObject> tokens = FanoutScenario.inBatches(users, 32, i -> FanoutScenario.post(http, port, "/api/v1/auth/signup", null,
                    new JsonObject().put("handle", "z" + tag + "_" + i).put("password", "bench-password")));
            long[] ids = new long[channels];
            for (int c = 0; c < channels; c++) {
                JsonArray memberIds = new JsonArray();
                for (int m = 1; m < members; m++) {
                    memberIds.add(tokens.get(c * members + m).getJsonObject("user").getLong("id"));
                }
                ids[c] = FanoutScenario.post(http, port, "/api/v1/channels", tokens.get(c * members).getString("accessToken"),
                        new JsonObject().put("kind", "private").put("name", "z" + c).put("memberIds", memberIds)).await().getLong("id");
            }
            String owner = tokens.get(0).getString("accessToken");
            FanoutScenario.inBatches(history, 16, i -> FanoutScenario.post(http, port, "/api/v1/channels/" + ids[0] + "/messages", owner,
                    new JsonObject().put("body", chatLine()).put("clientMsgId", "h" + i)));
            JsonObject out = new JsonObject();
            for (boolean deflate : new boolean[]{false, true}) {
                out.put(deflate ? "deflate" : "plain", new JsonObject()
                        .put("live", live(vertx, tokens, ids, deflate))
                        .put("replay", replay(vertx, tokens, ids[0], deflate)));
            }
            return out.put("channels", channels).put("members", members).put("rate", rate).put("seconds", seconds)
                    .put("history", history).put("replayers", replayers);
        } finally {
            vertx.close().await();
        }
    }

    private WebSocketClient client(Vertx vertx, boolean deflate) {
        return vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(deflate)
                .setMaxConnections(100_000).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22));
    }

    private Future<WebSocket> connect(WebSocketClient client, int proxyPort, String token, long channel, Long since,
                                      AtomicLong messages, Promise<Void> subscribed) {
        return Load.onLoop(() -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(proxyPort).setURI("/ws?token=" + token)))
                .compose(ws -> {
                    ws.textMessageHandler(t -> {
                        if (t.startsWith("{\"channelId\"") || t.contains("\"type\":\"message\"")) {
                            messages.incrementAndGet();
                        } else if (t.contains("\"ref\":\"s\"")) {
                            subscribed.tryComplete();
                        }
                    });
                    JsonObject c = new JsonObject().put("id", channel);
                    if (since != null) {
                        c.put("since", since);
                    }
                    ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("ref", "s").put("channels", new JsonArray().add(c)).encode());
                    return subscribed.future().map(ws);
                });
    }

    /** Live traffic: every member subscribed, members sending typical chat lines at the rate. */
    private JsonObject live(Vertx vertx, List<JsonObject> tokens, long[] ids, boolean deflate) {
        TcpProxy proxy = new TcpProxy(vertx, port);
        WebSocketClient client = client(vertx, deflate);
        AtomicLong delivered = new AtomicLong();
        List<WebSocket> sockets = new ArrayList<>(FanoutScenario.inBatches(tokens.size(), 64, i ->
                connect(client, proxy.port, tokens.get(i).getString("accessToken"), ids[i / members], null, delivered, Promise.promise())));
        Bench.sleep(500);
        long down0 = proxy.down.get();
        long delivered0 = delivered.get();
        double cpu0 = Stats.cpuSeconds(pid);
        long start = System.nanoTime();
        AtomicLong sent = new AtomicLong();
        long timer = vertx.setPeriodic(5, id -> {
            long due = (long) ((System.nanoTime() - start) / 1e9 * rate) - sent.get();
            for (long k = 0; k < due; k++) {
                int c = ThreadLocalRandom.current().nextInt(channels);
                WebSocket ws = sockets.get(c * members + ThreadLocalRandom.current().nextInt(members));
                ws.writeTextMessage(new JsonObject().put("type", "send").put("channelId", ids[c]).put("clientMsgId", "l" + sent.incrementAndGet())
                        .put("body", chatLine()).encode());
            }
        });
        Bench.sleep(seconds * 1000L);
        vertx.cancelTimer(timer);
        Bench.sleep(1000);
        double cpu = Stats.cpuSeconds(pid) - cpu0;
        long n = delivered.get() - delivered0;
        long bytes = proxy.down.get() - down0;
        sockets.forEach(WebSocket::close);
        client.close();
        Bench.log(String.format("live  deflate=%-5s sent=%d delivered=%d server-cpu=%.2fs → %.1f µs and %.1f bytes per delivery",
                deflate, sent.get(), n, cpu, cpu * 1e6 / n, (double) bytes / n));
        return new JsonObject().put("sent", sent.get()).put("deliveries", n).put("serverCpuSeconds", round(cpu))
                .put("cpuMicrosPerDelivery", round(cpu * 1e6 / n)).put("bytesPerDelivery", round((double) bytes / n));
    }

    /** History replays: sockets subscribing with since=0 to the channel with the long history. */
    private JsonObject replay(Vertx vertx, List<JsonObject> tokens, long channel, boolean deflate) {
        TcpProxy proxy = new TcpProxy(vertx, port);
        WebSocketClient client = client(vertx, deflate);
        AtomicLong replayed = new AtomicLong();
        double cpu0 = Stats.cpuSeconds(pid);
        long start = System.nanoTime();
        List<WebSocket> sockets = FanoutScenario.inBatches(replayers, 10, i ->
                connect(client, proxy.port, tokens.get(i % members).getString("accessToken"), channel, 0L, replayed, Promise.promise()));
        double wall = (System.nanoTime() - start) / 1e9;
        double cpu = Stats.cpuSeconds(pid) - cpu0;
        long n = replayed.get();
        sockets.forEach(WebSocket::close);
        client.close();
        Bench.log(String.format("replay deflate=%-5s messages=%d in %.2fs server-cpu=%.2fs → %.1f µs and %.1f bytes per message",
                deflate, n, wall, cpu, cpu * 1e6 / n, (double) proxy.down.get() / n));
        return new JsonObject().put("messages", n).put("seconds", round(wall)).put("serverCpuSeconds", round(cpu))
                .put("cpuMicrosPerMessage", round(cpu * 1e6 / n)).put("bytesPerMessage", round((double) proxy.down.get() / n));
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
