package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Fan-out: channels × members sockets spread over the nodes, each subscribed to its channel; members send
 * at a fixed total rate over WebSocket; every delivery's end-to-end latency (send to receipt, one clock:
 * this process) is recorded, and every acked message is checked to reach every member once.
 */
final class FanoutScenario {

    private final List<Integer> ports;
    private final List<Long> pids;
    private final int channels;
    private final int members;
    private final int rate;
    private final int seconds;
    private final int warmup;
    private final String tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    private final Histogram latency = Stats.histogram();
    private final Histogram subscribeLatency = Stats.histogram();
    private final Histogram ackLatency = Stats.histogram();
    private final Map<Long, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> acked = new ConcurrentHashMap<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Map<String, AtomicLong> errorCodes = new ConcurrentHashMap<>();
    private final AtomicLong closed = new AtomicLong();
    private volatile boolean measuring;

    FanoutScenario(Map<String, String> o) {
        ports = Arrays.stream(o.getOrDefault("ports", "8080").split(",")).map(Integer::parseInt).toList();
        pids = o.containsKey("pids") ? Arrays.stream(o.get("pids").split(",")).map(Long::parseLong).toList() : List.of();
        channels = Bench.intOpt(o, "channels", 100);
        members = Bench.intOpt(o, "members", 20);
        rate = Bench.intOpt(o, "rate", 1000);
        seconds = Bench.intOpt(o, "seconds", 20);
        warmup = Bench.intOpt(o, "warmup", 3);
    }

    private static long key(long channelId, long seq) {
        return (channelId << 32) | seq;
    }

    JsonObject run() {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(32));
        WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000));
        try {
            int users = channels * members;
            Bench.log("setup: " + users + " users, " + channels + " channels over nodes " + ports);
            List<JsonObject> tokens = inBatches(users, 32, i -> post(http, ports.get(i % ports.size()), "/api/v1/auth/signup", null,
                    new JsonObject().put("handle", "b" + tag + "_" + i).put("password", "bench-password")));
            long[] channelIds = new long[channels];
            List<JsonObject> created = inBatches(channels, 16, c -> {
                JsonArray ids = new JsonArray();
                for (int m = 1; m < members; m++) {
                    ids.add(tokens.get(c * members + m).getJsonObject("user").getLong("id"));
                }
                return post(http, ports.get(0), "/api/v1/channels", tokens.get(c * members).getString("accessToken"),
                        new JsonObject().put("kind", "private").put("name", "bench " + c).put("memberIds", ids));
            });
            for (int c = 0; c < channels; c++) {
                channelIds[c] = created.get(c).getLong("id");
            }
            Bench.log("setup: connecting " + users + " sockets");
            WebSocket[] sockets = new WebSocket[users];
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            inBatches(users, 64, i -> {
                int port = ports.get(i % ports.size());
                long ch = channelIds[i / members];
                String token = tokens.get(i).getString("accessToken");
                return wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws?token=" + token))
                        .compose(ws -> {
                            sockets[i] = ws;
                            long t0 = System.nanoTime();
                            io.vertx.core.Promise<JsonObject> subscribed = io.vertx.core.Promise.promise();
                            ws.textMessageHandler(text -> onFrame(text, subscribed, sentAt));
                            ws.closeHandler(v -> closed.incrementAndGet());
                            ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("ref", "s")
                                    .put("channels", new JsonArray().add(new JsonObject().put("id", ch))).encode());
                            return subscribed.future().map(ack -> {
                                subscribeLatency.recordValue((System.nanoTime() - t0) / 1000);
                                return ack;
                            });
                        });
            });
            Bench.log("setup: subscribe ack " + Stats.percentiles(subscribeLatency).encode());

            long start = System.nanoTime();
            long[] window = new long[2];
            double[] cpu = new double[2];
            AtomicLong lastDelivered = new AtomicLong();
            long ticker = vertx.setPeriodic(5, id -> {
                double elapsed = (System.nanoTime() - start) / 1e9;
                long due = (long) (elapsed * rate) - sent.get();
                for (long k = 0; k < due; k++) {
                    int c = ThreadLocalRandom.current().nextInt(channels);
                    int sender = c * members + ThreadLocalRandom.current().nextInt(members);
                    long n = sent.incrementAndGet();
                    String ref = String.valueOf(n);
                    sentAt.put(ref, System.nanoTime());
                    sockets[sender].writeTextMessage("{\"type\":\"send\",\"ref\":\"" + ref + "\",\"channelId\":" + channelIds[c]
                            + ",\"clientMsgId\":\"b" + n + "\",\"body\":\"" + System.nanoTime() + "\"}");
                }
            });
            for (int s = 1; s <= warmup + seconds; s++) {
                Bench.sleep(1000);
                if (s == warmup) {
                    measuring = true;
                    window[0] = System.nanoTime();
                    cpu[0] = Stats.cpuSeconds(pids);
                    lastDelivered.set(delivered.get());
                }
                long d = delivered.get();
                Bench.log(String.format("t=%2ds sent=%d delivered=%d (%d/s) p99=%.2fms errors=%d%s", s, sent.get(), d,
                        d - lastDelivered.getAndSet(d), latency.getValueAtPercentile(99) / 1000.0, errors.get(), s <= warmup ? " (warm-up)" : ""));
            }
            measuring = false;
            window[1] = System.nanoTime();
            cpu[1] = Stats.cpuSeconds(pids);
            vertx.cancelTimer(ticker);
            // let in-flight deliveries land: wait until none arrives for 2 s (at most 30 s)
            long quietSince = System.nanoTime();
            long seen = delivered.get();
            for (int i = 0; i < 300 && System.nanoTime() - quietSince < 2_000_000_000L; i++) {
                Bench.sleep(100);
                if (delivered.get() != seen) {
                    seen = delivered.get();
                    quietSince = System.nanoTime();
                }
            }

            long lost = 0;
            long dups = 0;
            for (Long k : acked.keySet()) {
                int n = deliveries.getOrDefault(k, new AtomicInteger()).get();
                lost += Math.max(0, members - n);
                dups += Math.max(0, n - members);
            }
            double windowSeconds = (window[1] - window[0]) / 1e9;
            double serverCpu = cpu[1] - cpu[0];
            long measured = latency.getTotalCount();
            return new JsonObject().put("nodes", ports.size()).put("channels", channels).put("members", members)
                    .put("sockets", users).put("offeredRate", rate).put("seconds", seconds)
                    .put("sent", sent.get()).put("acked", acked.size()).put("errors", errors.get())
                    .put("errorCodes", new JsonObject(new java.util.HashMap<>(errorCodes))).put("socketsClosed", closed.get())
                    .put("deliveries", delivered.get()).put("lost", lost).put("duplicates", dups)
                    .put("deliveriesPerSecond", Math.round(measured / windowSeconds))
                    .put("serverCpuSeconds", Math.round(serverCpu * 100) / 100.0)
                    .put("deliveriesPerServerCpuSecond", serverCpu > 0 ? Math.round(measured / serverCpu) : null)
                    .put("latency", Stats.percentiles(latency)).put("ackLatency", Stats.percentiles(ackLatency))
                    .put("subscribeLatency", Stats.percentiles(subscribeLatency));
        } finally {
            vertx.close().await();
        }
    }

    private void onFrame(String text, io.vertx.core.Promise<JsonObject> subscribed, Map<String, Long> sentAt) {
        JsonObject f = new JsonObject(text);
        switch (f.getString("type")) {
            case "message" -> {
                long now = System.nanoTime();
                delivered.incrementAndGet();
                deliveries.computeIfAbsent(key(f.getLong("channelId"), f.getLong("seq")), k -> new AtomicInteger()).incrementAndGet();
                if (measuring) {
                    latency.recordValue(Math.max(0, (now - Long.parseLong(f.getString("body"))) / 1000));
                }
            }
            case "ack" -> {
                if ("s".equals(f.getString("ref"))) {
                    subscribed.tryComplete(f);
                } else {
                    acked.put(key(f.getLong("channelId"), f.getLong("seq")), true);
                    Long t0 = sentAt.remove(f.getString("ref"));
                    if (t0 != null && measuring) {
                        ackLatency.recordValue((System.nanoTime() - t0) / 1000);
                    }
                }
            }
            case "error" -> {
                errors.incrementAndGet();
                errorCodes.computeIfAbsent(f.getString("code"), k -> new AtomicLong()).incrementAndGet();
                if ("s".equals(f.getString("ref"))) {
                    subscribed.tryFail(f.encode());
                }
            }
            default -> { }
        }
    }

    static Future<JsonObject> post(HttpClient http, int port, String path, String token, JsonObject body) {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("content-type", "application/json").setIdleTimeout(30_000);
        if (token != null) {
            o.putHeader("authorization", "Bearer " + token);
        }
        return http.request(o).compose(req -> req.send(Buffer.buffer(body.encode())))
                .compose(resp -> resp.body().map(b -> {
                    if (resp.statusCode() >= 300) {
                        throw new IllegalStateException(path + " answered " + resp.statusCode() + ": " + b);
                    }
                    return b.toJsonObject();
                })).timeout(40, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Runs {@code n} async calls, {@code parallel} at a time, and waits for all; answers their results in order. */
    static <T> List<T> inBatches(int n, int parallel, Function<Integer, Future<T>> call) {
        List<T> out = new ArrayList<>(java.util.Collections.nCopies(n, null));
        for (int from = 0; from < n; from += parallel) {
            List<Future<T>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + parallel); i++) {
                int idx = i;
                batch.add(call.apply(i).onSuccess(v -> out.set(idx, v)));
            }
            Future.all(batch).await();
        }
        return out;
    }
}
