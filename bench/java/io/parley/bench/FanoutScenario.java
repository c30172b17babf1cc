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
    private final List<Integer> rates;
    private final double p99LimitMs;
    private final int seconds;
    private final int warmup;
    private final String tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    private volatile Histogram latency = Stats.histogram();
    private final Histogram subscribeLatency = Stats.histogram();
    private volatile Histogram ackLatency = Stats.histogram();
    private final Map<Long, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> acked = new ConcurrentHashMap<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Map<String, AtomicLong> errorCodes = new ConcurrentHashMap<>();
    private final AtomicLong closed = new AtomicLong();
    private volatile boolean measuring;
    private final AtomicLong stepSent = new AtomicLong();
    /** Every measured delivery, second by second, for the chart. */
    private final Series timeline;
    private final String chartOf;

    FanoutScenario(Map<String, String> o) {
        ports = Arrays.stream(o.getOrDefault("ports", "8080").split(",")).map(Integer::parseInt).toList();
        pids = o.containsKey("pids") ? Arrays.stream(o.get("pids").split(",")).map(Long::parseLong).toList() : List.of();
        channels = Bench.intOpt(o, "channels", 100);
        members = Bench.intOpt(o, "members", 20);
        // offered load in messages/s: one rate, a list, or steps from..to by a factor (stopping past the knee)
        if (o.containsKey("rates")) {
            rates = Arrays.stream(o.get("rates").split(",")).map(Integer::parseInt).toList();
        } else if (o.containsKey("from")) {
            List<Integer> r = new ArrayList<>();
            double f = Double.parseDouble(o.getOrDefault("factor", "1.5"));
            for (double x = Bench.intOpt(o, "from", 100); x <= Bench.intOpt(o, "to", 20_000); x *= f) {
                r.add((int) Math.round(x));
            }
            rates = r;
        } else {
            rates = List.of(Bench.intOpt(o, "rate", 1000));
        }
        p99LimitMs = Double.parseDouble(o.getOrDefault("p99LimitMs", "50"));
        seconds = Bench.intOpt(o, "seconds", 10);
        warmup = Bench.intOpt(o, "warmup", 10);
        timeline = new Series("fan-out", pids);
        chartOf = o.get("out");
    }

    private static long key(long channelId, long seq) {
        return (channelId << 32) | seq;
    }

    JsonObject run() {
        Vertx vertx = Load.use(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2)));
        io.vertx.core.Context[] loops = {vertx.getOrCreateContext(), vertx.getOrCreateContext()};
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
                // sockets spread over the generator's event loops (a context each, round robin)
                return Load.onLoop(loops[i % loops.length], () -> wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws?token=" + token))
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
                        }));
            });
            Bench.log("setup: subscribe ack " + Stats.percentiles(subscribeLatency).encode());

            JsonObject out = new JsonObject().put("nodes", ports.size()).put("channels", channels).put("members", members)
                    .put("sockets", users).put("stepSeconds", seconds).put("warmupSeconds", warmup);
            // warm-up at the first rate (JIT, pools, caches), not measured
            step(vertx, sockets, channelIds, sentAt, rates.get(0), warmup, "warm-up");
            JsonArray steps = new JsonArray();
            JsonObject peak = null;
            for (int rate : rates) {
                JsonObject st = step(vertx, sockets, channelIds, sentAt, rate, seconds, "step");
                steps.add(st);
                boolean good = st.getDouble("p99") < p99LimitMs && st.getBoolean("keptUp");
                if (good) {
                    peak = st;
                } else if (rates.size() > 1) {
                    break; // past the knee: further steps only pile up a backlog
                }
            }
            out.put("steps", steps);
            if (rates.size() > 1 && peak != null) {
                int half = Math.max(1, peak.getInteger("offeredRate") / 2);
                JsonObject h = step(vertx, sockets, channelIds, sentAt, half, seconds, "half of peak");
                out.put("peak", peak).put("halfPeak", h);
            } else if (peak != null) {
                out.put("peak", peak);
            }
            writeChart();
            // let in-flight deliveries land: wait until none arrives for 2 s (at most 60 s)
            awaitQuiet(60);
            long lost = 0;
            long dups = 0;
            for (Long k : acked.keySet()) {
                int n = deliveries.getOrDefault(k, new AtomicInteger()).get();
                lost += Math.max(0, members - n);
                dups += Math.max(0, n - members);
            }
            JsonObject last = peak != null ? peak : steps.getJsonObject(steps.size() - 1);
            return out.put("sent", sent.get()).put("acked", acked.size()).put("errors", errors.get())
                    .put("errorCodes", new JsonObject(new java.util.HashMap<>(errorCodes))).put("socketsClosed", closed.get())
                    .put("deliveries", delivered.get()).put("lost", lost).put("duplicates", dups)
                    // the headline figures are the peak step's (the last step when no step met the latency bound)
                    .put("offeredRate", last.getInteger("offeredRate"))
                    .put("deliveriesPerSecond", last.getLong("deliveriesPerSecond"))
                    .put("serverCpuSeconds", last.getDouble("serverCpuSeconds"))
                    .put("deliveriesPerServerCpuSecond", last.getLong("deliveriesPerServerCpuSecond"))
                    .put("latency", last.getJsonObject("latency")).put("ackLatency", last.getJsonObject("ackLatency"))
                    .put("subscribeLatency", Stats.percentiles(subscribeLatency));
        } finally {
            vertx.close().await();
        }
    }

    /**
     * Offers {@code rate} messages/s for {@code secs} seconds (random channel, random member as sender), then
     * waits for the step's deliveries to land; answers the step's figures: delivery and ack latency, deliveries/s,
     * server CPU and whether deliveries kept up with the offered load.
     */
    private JsonObject step(Vertx vertx, WebSocket[] sockets, long[] channelIds, Map<String, Long> sentAt, int rate, int secs, String label) {
        latency = Stats.histogram();
        ackLatency = Stats.histogram();
        stepSent.set(0);
        long delivered0 = delivered.get();
        double cpu0 = Stats.cpuSeconds(pids);
        long start = System.nanoTime();
        measuring = true;
        long ticker = vertx.setPeriodic(2, id -> {
            double elapsed = (System.nanoTime() - start) / 1e9;
            long due = Math.min((long) (elapsed * rate), (long) rate * secs) - stepSent.get();
            for (long k = 0; k < due; k++) {
                int c = ThreadLocalRandom.current().nextInt(channels);
                int sender = c * members + ThreadLocalRandom.current().nextInt(members);
                long n = sent.incrementAndGet();
                stepSent.incrementAndGet();
                String ref = String.valueOf(n);
                sentAt.put(ref, System.nanoTime());
                sockets[sender].writeTextMessage("{\"type\":\"send\",\"ref\":\"" + ref + "\",\"channelId\":" + channelIds[c]
                        + ",\"clientMsgId\":\"b" + tag + n + "\",\"body\":\"" + System.nanoTime() + "\"}");
            }
        });
        for (int s = 1; s <= secs; s++) {
            Bench.sleep(1000);
            // one point a second: deliveries and latency percentiles of that second, server CPU
            JsonObject point = timeline.tick(label + " @" + rate + " msg/s" + (errors.get() > 0 ? " errors=" + errors.get() : ""));
            point.put("offeredRate", rate).put("label", label);
        }
        vertx.cancelTimer(ticker);
        double window = (System.nanoTime() - start) / 1e9;
        double cpu = Stats.cpuSeconds(pids) - cpu0;
        long inWindow = delivered.get() - delivered0;
        awaitQuiet(30);
        measuring = false;
        long expected = stepSent.get() * members;
        long landed = delivered.get() - delivered0;
        Histogram h = latency;
        return new JsonObject().put("label", label).put("offeredRate", rate).put("offeredDeliveriesPerSecond", (long) rate * members)
                .put("deliveriesPerSecond", Math.round(inWindow / window))
                .put("serverCpuSeconds", Math.round(cpu * 100) / 100.0)
                .put("deliveriesPerServerCpuSecond", cpu > 0 ? Math.round(inWindow / cpu) : null)
                .put("keptUp", inWindow >= 0.95 * expected && landed >= expected)
                .put("p99", h.getValueAtPercentile(99) / 1000.0)
                .put("latency", Stats.percentiles(h)).put("ackLatency", Stats.percentiles(ackLatency));
    }

    /** The HTML chart next to the JSON result: latency percentiles and deliveries per second over the run. */
    private void writeChart() {
        if (chartOf == null) {
            return;
        }
        try {
            java.nio.file.Path html = java.nio.file.Path.of(chartOf.replace(".json", ".html"));
            java.nio.file.Files.createDirectories(html.toAbsolutePath().getParent());
            Series.chart(html, "Parley fan-out — " + ports.size() + " nodes, " + channels + " channels × " + members
                    + " members, offered load stepped " + rates, new JsonObject().put("deliveries (warm-up, steps, half of peak)", timeline.points()));
        } catch (java.io.IOException e) {
            Bench.log("chart not written: " + e.getMessage());
        }
    }

    /** Waits until no delivery has arrived for 2 s, at most {@code maxSeconds}. */
    private void awaitQuiet(int maxSeconds) {
        long quietSince = System.nanoTime();
        long seen = delivered.get();
        for (int i = 0; i < maxSeconds * 10 && System.nanoTime() - quietSince < 2_000_000_000L; i++) {
            Bench.sleep(100);
            if (delivered.get() != seen) {
                seen = delivered.get();
                quietSince = System.nanoTime();
            }
        }
    }

    private void onFrame(String text, io.vertx.core.Promise<JsonObject> subscribed, Map<String, Long> sentAt) {
        if (text.endsWith("\"type\":\"message\"}")) {
            // the hot path of the generator: read the three fields without building a JsonObject
            long now = System.nanoTime();
            delivered.incrementAndGet();
            deliveries.computeIfAbsent(key(number(text, "\"channelId\":"), number(text, "\"seq\":")), k -> new AtomicInteger()).incrementAndGet();
            if (measuring) {
                long micros = Math.max(0, (now - number(text, "\"body\":\"")) / 1000);
                latency.recordValue(micros);
                timeline.record(micros);
            }
            return;
        }
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

    /** The non-negative integer right after {@code key} in {@code text}. */
    private static long number(String text, String key) {
        int i = text.indexOf(key) + key.length();
        long v = 0;
        for (char c; i < text.length() && (c = text.charAt(i)) >= '0' && c <= '9'; i++) {
            v = v * 10 + (c - '0');
        }
        return v;
    }

    static Future<JsonObject> post(HttpClient http, int port, String path, String token, JsonObject body) {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("content-type", "application/json").setTimeout(30_000);
        if (token != null) {
            o.putHeader("authorization", "Bearer " + token);
        }
        return Load.onLoop(() -> http.request(o).compose(req -> req.send(Buffer.buffer(body.encode())))
                .compose(resp -> resp.body().map(b -> {
                    if (resp.statusCode() >= 300) {
                        throw new IllegalStateException(path + " answered " + resp.statusCode() + ": " + b);
                    }
                    return b.toJsonObject();
                })));
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
