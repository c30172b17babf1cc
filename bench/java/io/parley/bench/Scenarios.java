package io.parley.bench;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-path scenarios. Data is seeded straight into Postgres (a million messages do not go through
 * HTTP in minutes); "cold" runs against a node with the cache off, "hot" against a warmed cached node,
 * and "raw" runs the same SQL directly on a pool of the same size, in the same run, for the ratio.
 */
final class Scenarios {

    private final Map<String, String> o;
    private final Vertx vertx = Load.use(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2)));
    private final HttpClient http;
    private final Pool db;
    private final int hot;
    private final int cold;
    private final int concurrency;
    private final int seconds;
    private final int warmup;
    private final List<Long> pids = new ArrayList<>();
    private final JsonObject charts = new JsonObject();

    Scenarios(Map<String, String> o) {
        this.o = o;
        hot = Bench.intOpt(o, "port", 8180);
        cold = Bench.intOpt(o, "coldPort", hot);
        concurrency = Bench.intOpt(o, "concurrency", 64);
        seconds = Bench.intOpt(o, "seconds", 10);
        warmup = Bench.intOpt(o, "warmup", 10);
        if (o.containsKey("pids")) {
            for (String p : o.get("pids").split(",")) {
                pids.add(Long.parseLong(p));
            }
        }
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(concurrency * 2));
        PgConnectOptions pg = PgConnectOptions.fromUri(o.getOrDefault("db", "postgresql://parley:parley@127.0.0.1:5432/parley"))
                .setCachePreparedStatements(true).setPipeliningLimit(256);
        if (o.containsKey("schema")) {
            pg.setProperties(Map.of("search_path", o.get("schema")));
        }
        db = PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(Bench.intOpt(o, "poolSize", 8))).connectingTo(pg).using(vertx).build();
    }

    JsonObject run(String scenario) throws Exception {
        try {
            double cpu0 = Stats.cpuSeconds(pids);
            JsonObject r = switch (scenario) {
                case "history" -> history();
                case "channel-list" -> channelList();
                case "send" -> send();
                case "login-storm" -> loginStorm();
                case "idle-sockets" -> idleSockets();
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            };
            r.put("serverCpuSecondsTotal", Math.round((Stats.cpuSeconds(pids) - cpu0) * 100) / 100.0);
            String out = o.get("out");
            if (out != null && !charts.isEmpty()) {
                Path html = Path.of(out.replace(".json", ".html"));
                Files.createDirectories(html.toAbsolutePath().getParent());
                Series.chart(html, "Parley " + scenario + " — " + String.join(" ", o.entrySet().stream()
                        .filter(e -> !e.getKey().equals("out")).map(e -> e.getKey() + "=" + e.getValue()).toList()), charts);
                r.put("chart", html.toString());
            }
            return r.put("charts", charts);
        } finally {
            db.close().await();
            vertx.close().await();
        }
    }

    private String signup(String handle) {
        JsonObject t = FanoutScenario.post(http, hot, "/api/v1/auth/signup", null,
                new JsonObject().put("handle", handle).put("password", "bench-password")).await();
        return t.getString("accessToken");
    }

    private long userId(String token) {
        return Load.get(http, hot, "/api/v1/me", token).await().toJsonObject().getLong("id");
    }

    /** The process of the node that serves {@code port}, whose CPU a phase counts (none for the raw database phases). */
    private List<Long> serving(int port) {
        return port <= 0 || pids.isEmpty() ? List.of() : List.of(pids.get(port == hot || pids.size() == 1 ? 0 : 1));
    }

    /** A phase at a fixed offered rate (open loop): the latency the goals name "at N per second". */
    private JsonObject rated(String name, int port, int rate, int secs, java.util.function.Supplier<Future<?>> call) {
        Series s = new Series(name, serving(port));
        JsonObject r = Load.openLoop(vertx, s, rate, warmup, secs, 2000, call);
        charts.put(name, s.points());
        return r;
    }

    private JsonObject phase(String name, int port, int conc, int secs, java.util.function.Supplier<Future<?>> call) {
        Series s = new Series(name, serving(port));
        JsonObject r = Load.closedLoop(vertx, s, conc, warmup, secs, call);
        charts.put(name, s.points());
        return r;
    }

    /** 100 channels × 10,000 messages: the latest page (hot), deep cursor pages (cold), and the raw query. */
    private JsonObject history() {
        int channels = Bench.intOpt(o, "channels", 100);
        int perChannel = Bench.intOpt(o, "messages", 10_000);
        String token = signup("h" + tag());
        long reader = userId(token);
        Bench.log("seeding " + channels + " channels × " + perChannel + " messages");
        db.query("INSERT INTO channels (kind, name, created_by, last_seq, last_message_at) SELECT 'private', 'history ' || g, " + reader
                + ", " + perChannel + ", now() FROM generate_series(1, " + channels + ") g").execute().await();
        List<Long> ids = new ArrayList<>();
        db.query("SELECT id FROM channels WHERE name LIKE 'history %' ORDER BY id").execute().await().forEach(r -> ids.add(r.getLong("id")));
        db.query("INSERT INTO channel_members (channel_id, user_id, role) SELECT id, " + reader + ", 'owner' FROM channels WHERE name LIKE 'history %'")
                .execute().await();
        db.query("INSERT INTO messages (channel_id, seq, sender_id, client_msg_id, body) SELECT c.id, s, " + reader + ", 'h' || s,"
                + " 'message number ' || s || ' of the long history' FROM channels c, generate_series(1, " + perChannel + ") s"
                + " WHERE c.name LIKE 'history %'").execute().await();
        db.query("ANALYZE messages").execute().await();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        JsonObject out = new JsonObject().put("channels", channels).put("messagesPerChannel", perChannel).put("concurrency", concurrency);
        String sql = "SELECT channel_id, seq, sender_id, client_msg_id, body, created_at, edited_at, deleted_at FROM messages"
                + " WHERE channel_id = $1 AND seq < $2 AND seq > $3 AND EXISTS (SELECT 1 FROM channel_members cm"
                + " WHERE cm.channel_id = $1 AND cm.user_id = $5 AND NOT cm.banned) ORDER BY seq DESC LIMIT $4";
        out.put("rawQuery", phase("raw query", 0, concurrency, seconds, () -> db.preparedQuery(sql)
                .execute(Tuple.of(ids.get(r.nextInt(ids.size())), (long) 2 + r.nextInt(perChannel), -1L, 51, reader))));
        out.put("coldDeepPages", phase("cold deep pages", cold, concurrency, seconds, () -> Load.get(http, cold,
                "/api/v1/channels/" + ids.get(r.nextInt(ids.size())) + "/messages?limit=50&before=" + (2 + r.nextInt(perChannel)), token)));
        out.put("hotDeepPages", phase("hot deep pages", hot, concurrency, seconds, () -> Load.get(http, hot,
                "/api/v1/channels/" + ids.get(r.nextInt(ids.size())) + "/messages?limit=50&before=" + (2 + r.nextInt(perChannel)), token)));
        ids.forEach(id -> Load.get(http, hot, "/api/v1/channels/" + id + "/messages?limit=50", token).otherwiseEmpty().await());
        out.put("hotLatestPage", phase("hot latest page", hot, concurrency, seconds, () -> Load.get(http, hot,
                "/api/v1/channels/" + ids.get(r.nextInt(ids.size())) + "/messages?limit=50", token)));
        out.put("coldVsRaw", ratio(out.getJsonObject("coldDeepPages"), out.getJsonObject("rawQuery")));
        // the latency goals are at a given rate: uncached deep pages and cached latest pages at `rate` pages/s
        int rate = Bench.intOpt(o, "rate", 2000);
        out.put("coldDeepPagesAtRate", rated("cold deep @" + rate + "/s", cold, rate, seconds, () -> Load.get(http, cold,
                "/api/v1/channels/" + ids.get(r.nextInt(ids.size())) + "/messages?limit=50&before=" + (2 + r.nextInt(perChannel)), token)));
        out.put("hotLatestPageAtRate", rated("hot latest @" + rate + "/s", hot, rate, seconds, () -> Load.get(http, hot,
                "/api/v1/channels/" + ids.get(r.nextInt(ids.size())) + "/messages?limit=50", token)));
        return out;
    }

    /** Users in 50 channels each: their channel lists, cold (cache off) and hot. */
    private JsonObject channelList() {
        int users = Bench.intOpt(o, "users", 200);
        int per = Bench.intOpt(o, "channelsPerUser", 50);
        List<String> tokens = new ArrayList<>();
        String t = tag();
        List<JsonObject> made = FanoutScenario.inBatches(users, 16, i -> FanoutScenario.post(http, hot, "/api/v1/auth/signup", null,
                new JsonObject().put("handle", "l" + t + "_" + i).put("password", "bench-password")));
        made.forEach(j -> tokens.add(j.getString("accessToken")));
        long first = made.get(0).getJsonObject("user").getLong("id");
        Bench.log("seeding " + users + " users × " + per + " channels");
        db.query("INSERT INTO channels (kind, name, created_by, last_seq, last_message_at) SELECT 'private', 'list " + t + " ' || g, "
                + first + ", 1, now() FROM generate_series(1, " + 10 * per + ") g").execute().await();
        db.query("INSERT INTO channel_members (channel_id, user_id) SELECT c.id, u.id FROM channels c JOIN LATERAL"
                + " (SELECT id FROM users WHERE handle LIKE 'l" + t + "_%' ORDER BY id OFFSET (c.id % 10) * " + users / 10 + " LIMIT " + users / 10 + ") u ON true"
                + " WHERE c.name LIKE 'list " + t + " %' ON CONFLICT DO NOTHING").execute().await();
        db.query("INSERT INTO messages (channel_id, seq, sender_id, client_msg_id, body) SELECT id, 1, " + first + ", 'l1', 'first!'"
                + " FROM channels WHERE name LIKE 'list " + t + " %'").execute().await();
        db.query("ANALYZE").execute().await();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        JsonObject out = new JsonObject().put("users", users).put("channelsPerUser", Load.get(http, hot, "/api/v1/channels", tokens.get(0))
                .await().toJsonObject().getJsonArray("channels").size());
        out.put("cold", phase("cold lists", cold, concurrency, seconds, () -> Load.get(http, cold, "/api/v1/channels", tokens.get(r.nextInt(users)))));
        tokens.forEach(tk -> {
            Load.get(http, hot, "/api/v1/channels", tk).await();
            Load.get(http, hot, "/api/v1/channels", tk).await();
        });
        out.put("hot", phase("hot lists", hot, concurrency, seconds, () -> Load.get(http, hot, "/api/v1/channels", tokens.get(r.nextInt(users)))));
        int rate = Bench.intOpt(o, "rate", 2000);
        out.put("hotAtRate", rated("hot @" + rate + "/s", hot, rate, seconds, () -> Load.get(http, hot, "/api/v1/channels",
                tokens.get(r.nextInt(users)))));
        return out;
    }

    /** Acked WebSocket sends at rising concurrency over 100 channels, and the raw send statement. */
    private JsonObject send() {
        int channels = 100;
        String token = signup("s" + tag());
        long sender = userId(token);
        db.query("INSERT INTO channels (kind, name, created_by) SELECT 'private', 'send ' || g, " + sender + " FROM generate_series(1, " + channels + ") g")
                .execute().await();
        List<Long> ids = new ArrayList<>();
        db.query("SELECT id FROM channels WHERE name LIKE 'send %' ORDER BY id").execute().await().forEach(r -> ids.add(r.getLong("id")));
        db.query("INSERT INTO channel_members (channel_id, user_id, role) SELECT id, " + sender + ", 'owner' FROM channels WHERE name LIKE 'send %'")
                .execute().await();
        WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1000));
        JsonObject out = new JsonObject();
        AtomicLong n = new AtomicLong();
        for (int c : new int[]{1, 4, 16, 64}) {
            List<Sender> senders = new ArrayList<>();
            for (int i = 0; i < c; i++) {
                senders.add(new Sender(Load.onLoop(() -> ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hot)
                        .setURI("/ws?token=" + token))).await()));
            }
            AtomicLong next = new AtomicLong();
            out.put("c" + c, phase("send c=" + c, hot, c, seconds, () -> senders.get((int) (next.incrementAndGet() % c))
                    .send(ids.get(ThreadLocalRandom.current().nextInt(channels)), "b" + n.incrementAndGet())));
            if (c == 64) {
                // ack latency at fixed rates over the same 64 sockets: the goal's rate, and half of what c=64 sustained
                int goal = Bench.intOpt(o, "rate", 5000);
                int half = (int) Math.max(1, out.getJsonObject("c64").getLong("perSecond") / 2);
                for (int rate : new int[]{half, goal}) {
                    out.put("at" + rate, rated("send @" + rate + "/s", hot, rate, seconds, () -> senders.get((int) (next.incrementAndGet() % c))
                            .send(ids.get(ThreadLocalRandom.current().nextInt(channels)), "b" + n.incrementAndGet())));
                }
                out.put("atHalfOfC64", out.getJsonObject("at" + half)).put("atGoalRate", out.getJsonObject("at" + goal));
            }
            senders.forEach(s -> s.ws.close());
        }
        String sql = "WITH ch AS (UPDATE channels SET last_seq = last_seq + 1, last_message_at = now() WHERE id = $1 AND is_active"
                + " AND EXISTS (SELECT 1 FROM channel_members cm WHERE cm.channel_id = $1 AND cm.user_id = $2 AND NOT cm.banned"
                + " AND (cm.muted_until IS NULL OR cm.muted_until <= now())) RETURNING last_seq),"
                + " ins AS (INSERT INTO messages (channel_id, seq, sender_id, client_msg_id, body) SELECT $1, ch.last_seq, $2, $3, $4 FROM ch"
                + " RETURNING seq), rd AS (UPDATE channel_members SET last_read_seq = ins.seq FROM ins"
                + " WHERE channel_members.channel_id = $1 AND channel_members.user_id = $2) SELECT seq FROM ins";
        out.put("rawInsertC64", phase("raw insert c=64", 0, 64, seconds, () -> db.preparedQuery(sql)
                .execute(Tuple.of(ids.get(ThreadLocalRandom.current().nextInt(channels)), sender, "raw" + n.incrementAndGet(), "raw body"))));
        out.put("c64VsRaw", ratio(out.getJsonObject("c64"), out.getJsonObject("rawInsertC64")));
        return out;
    }

    /** A socket sending messages; each send completes on the ack or error with its own ref. */
    private static final class Sender {
        final WebSocket ws;
        final Map<String, Promise<Void>> pending = new java.util.concurrent.ConcurrentHashMap<>();

        Sender(WebSocket ws) {
            this.ws = ws;
            ws.textMessageHandler(t -> {
                if (t.contains("\"type\":\"ack\"") || t.contains("\"type\":\"error\"")) {
                    JsonObject f = new JsonObject(t);
                    Promise<Void> p = pending.remove(f.getString("ref"));
                    if (p != null) {
                        if ("ack".equals(f.getString("type"))) {
                            p.tryComplete();
                        } else {
                            p.tryFail(t);
                        }
                    }
                }
            });
        }

        Future<Void> send(long channel, String id) {
            Promise<Void> p = Promise.promise();
            pending.put(id, p);
            ws.writeTextMessage("{\"type\":\"send\",\"ref\":\"" + id + "\",\"channelId\":" + channel + ",\"clientMsgId\":\"" + id
                    + "\",\"body\":\"bench\"}");
            return p.future();
        }
    }

    /**
     * 200 concurrent sign-ins at the node's bcrypt cost, while a cheap request's latency is measured. Sign-ins
     * the node sheds (503, Retry-After) are retried after the delay it asks for, with jitter, as a client would.
     */
    private JsonObject loginStorm() {
        int storm = Bench.intOpt(o, "signins", 200);
        int cost = Bench.intOpt(o, "cost", 12);
        String t = tag();
        String hash = BCrypt.withDefaults().hashToString(cost, "storm-password".toCharArray());
        db.preparedQuery("INSERT INTO users (handle, display_name, password_hash) SELECT 'st" + t + "_' || g, 'Storm', $1 FROM generate_series(1, "
                + storm + ") g").execute(Tuple.of(hash)).await();
        String token = signup("cheap" + t);
        // the cheap request, warmed first so the figure is the storm's effect and not the JIT's
        for (int i = 0, n = Bench.intOpt(o, "cheapWarmup", 2000); i < n; i++) {
            Load.get(http, hot, "/api/v1/me", token).await();
        }
        Series cheap = new Series("cheap GET /me", pids);
        AtomicLong done = new AtomicLong();
        AtomicLong shed = new AtomicLong();
        long start = System.nanoTime();
        List<Future<JsonObject>> signins = new ArrayList<>();
        for (int i = 1; i <= storm; i++) {
            JsonObject creds = new JsonObject().put("handle", "st" + t + "_" + i).put("password", "storm-password");
            signins.add(signinRetrying(creds, shed, start).onComplete(ar -> done.incrementAndGet()));
        }
        long tick = System.nanoTime();
        long cheapFailures = 0;
        while (done.get() < storm && System.nanoTime() - start < 300_000_000_000L) {
            long t0 = System.nanoTime();
            try {
                Load.get(http, hot, "/api/v1/me", token).await();
                cheap.record((System.nanoTime() - t0) / 1000);
            } catch (RuntimeException e) {
                cheapFailures++;
            }
            if (System.nanoTime() - tick > 1_000_000_000L) {
                cheap.tick("signins done " + done.get() + "/" + storm + ", shed " + shed.get());
                tick = System.nanoTime();
            }
            Bench.sleep(10);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        cheap.tick("signins done " + done.get() + "/" + storm + ", shed " + shed.get());
        long failed = signins.stream().filter(f -> !f.succeeded()).count();
        Bench.log("signins failed: " + failed + " (" + signins.stream().filter(Future::failed).map(f -> String.valueOf(f.cause().getMessage()))
                .map(m -> m.replaceAll(".*answered (\\d+).*", "$1")).distinct().toList() + "), shed and retried: " + shed.get()
                + ", cheap request failures: " + cheapFailures);
        charts.put("cheap request during the storm", cheap.points());
        return new JsonObject().put("signins", storm).put("bcryptCost", cost).put("failed", failed).put("shedAndRetried", shed.get())
                .put("cheapFailures", cheapFailures).put("seconds", Math.round(secs * 10) / 10.0)
                .put("signinsPerSecond", Math.round(storm / secs * 10) / 10.0).put("cheapRequest", cheap.summary(secs));
    }

    /** One sign-in; a 503 is retried after Retry-After (2 s) ± 50% jitter, for at most 120 s from the storm's start. */
    private Future<JsonObject> signinRetrying(JsonObject creds, AtomicLong shed, long start) {
        return FanoutScenario.post(http, hot, "/api/v1/auth/signin", null, creds).recover(e -> {
            if (String.valueOf(e.getMessage()).contains("answered 503") && System.nanoTime() - start < 120_000_000_000L) {
                shed.incrementAndGet();
                Promise<JsonObject> later = Promise.promise();
                vertx.setTimer(1000 + ThreadLocalRandom.current().nextInt(2000),
                        id -> signinRetrying(creds, shed, start).onComplete(later));
                return later.future();
            }
            return Future.failedFuture(e);
        });
    }

    /**
     * N open, idle WebSockets on one node: RSS and heap after GC per connection. {@code deflate=true}
     * negotiates permessage-deflate; then (or with {@code touch=true}) every socket subscribes to a channel
     * and receives one message, so whatever a socket keeps after its first compressed frame (a deflate
     * context) is in the figure.
     */
    private JsonObject idleSockets() throws Exception {
        int n = Bench.intOpt(o, "sockets", 20_000);
        boolean deflate = "true".equals(o.get("deflate"));
        boolean touch = deflate || "true".equals(o.get("touch"));
        long pid = pids.get(0);
        String token = signup("idle" + tag());
        long channel = 0;
        if (touch) {
            long owner = userId(token);
            channel = db.query("INSERT INTO channels (kind, name, created_by) VALUES ('private', 'idle " + tag() + "', " + owner
                    + ") RETURNING id").execute().await().iterator().next().getLong("id");
            db.query("INSERT INTO channel_members (channel_id, user_id, role) VALUES (" + channel + ", " + owner + ", 'owner')")
                    .execute().await();
        }
        Bench.sleep(2000);
        long heap0 = heapAfterGc(pid);
        long rss0 = rss(pid);
        // serverNoContext=true: the client offers server_no_context_takeover, as few browsers do
        WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(n + 10)
                .setTryUsePerMessageCompression(deflate).setCompressionAllowClientNoContext(true)
                .setCompressionRequestServerNoContext("true".equals(o.get("serverNoContext"))));
        List<WebSocket> open = new ArrayList<>();
        AtomicLong acks = new AtomicLong();
        AtomicLong messages = new AtomicLong();
        AtomicLong compressed = new AtomicLong();
        for (int from = 0; from < n; from += 500) {
            List<Future<WebSocket>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 500); i++) {
                batch.add(Load.onLoop(() -> ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(hot).setURI("/ws?token=" + token))));
            }
            Future.all(batch).await();
            batch.forEach(f -> {
                WebSocket s = f.result();
                if (s.headers() != null && String.valueOf(s.headers().get("sec-websocket-extensions")).contains("permessage-deflate")) {
                    compressed.incrementAndGet();
                }
                s.textMessageHandler(t -> {
                    if (t.contains("\"type\":\"ack\"")) {
                        acks.incrementAndGet();
                    } else if (t.contains("\"type\":\"message\"")) {
                        messages.incrementAndGet();
                    }
                });
                open.add(s);
            });
            if ((from / 500) % 8 == 0) {
                Bench.log("open sockets: " + open.size() + "  node RSS " + rss(pid) / 1024 / 1024 + " MiB");
            }
        }
        if (touch) {
            String frame = "{\"type\":\"subscribe\",\"ref\":\"s\",\"channels\":[" + channel + "]}";
            for (int from = 0; from < open.size(); from += 500) {
                open.subList(from, Math.min(open.size(), from + 500)).forEach(s -> Load.onLoop(() -> s.writeTextMessage(frame)));
                long until = System.currentTimeMillis() + 30_000;
                while (acks.get() < Math.min(open.size(), from + 500) && System.currentTimeMillis() < until) {
                    Bench.sleep(20);
                }
            }
            FanoutScenario.post(http, hot, "/api/v1/channels/" + channel + "/messages", token,
                    new JsonObject().put("body", "one message to every idle socket").put("clientMsgId", "idle-" + tag())).await();
            long until = System.currentTimeMillis() + 60_000;
            while (messages.get() < open.size() && System.currentTimeMillis() < until) {
                Bench.sleep(50);
            }
            Bench.log("subscribed " + acks.get() + ", delivered " + messages.get() + " of " + open.size()
                    + (deflate ? ", deflate negotiated on " + compressed.get() : ""));
        }
        Bench.sleep(3000);
        long heap1 = heapAfterGc(pid);
        long rss1 = rss(pid);
        JsonObject out = new JsonObject().put("sockets", open.size()).put("deflate", deflate).put("touched", touch)
                .put("clientOfferedServerNoContext", "true".equals(o.get("serverNoContext")))
                .put("deflateNegotiated", compressed.get()).put("delivered", messages.get())
                .put("rssBytesPerSocket", (rss1 - rss0) / open.size()).put("heapBytesPerSocketAfterGc", (heap1 - heap0) / open.size())
                .put("rssBefore", rss0).put("rssAfter", rss1).put("heapBefore", heap0).put("heapAfter", heap1);
        Bench.log("idle sockets: " + out.encode());
        open.forEach(WebSocket::close);
        return out;
    }

    private static long rss(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    /** Heap in use after a full GC of the node (jcmd), in bytes. */
    private static long heapAfterGc(long pid) throws Exception {
        new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").redirectErrorStream(true).start().waitFor();
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.heap_info").redirectErrorStream(true).start();
        String info = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        // the heap's generations or regions (not Metaspace): "... generation total 1234K, used 567K" / "heap total ..., used ..."
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*\\S.*(generation|heap)\\s+total \\d+K, used (\\d+)K").matcher(info);
        long used = 0;
        boolean g1 = info.contains("garbage-first heap");
        while (m.find()) {
            used += Long.parseLong(m.group(2)) * 1024;
            if (g1) {
                break;
            }
        }
        return used;
    }

    private static JsonObject ratio(JsonObject a, JsonObject b) {
        double ra = a.getLong("perSecond");
        double rb = b.getLong("perSecond");
        return new JsonObject().put("ratio", rb == 0 ? null : Math.round(ra / rb * 100) / 100.0);
    }

    private static String tag() {
        return Long.toString(System.nanoTime() % 10_000_000, 36);
    }

    static Buffer unused() {
        return Buffer.buffer();
    }
}
