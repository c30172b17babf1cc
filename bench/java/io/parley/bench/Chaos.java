package io.parley.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The chaos run's clients, fault injector and final check (started by {@code scripts/chaos}).
 * <p>
 * Clients are written as a real app should be: each keeps, per channel, the last seq it processed; when
 * its node goes away (closed, killed, or silent for 5 s) it reconnects with jittered backoff to another
 * node and subscribes with {@code since}; a send that was not acked is sent again with the same
 * {@code clientMsgId} until it is. Clients never drop a duplicate or reorder what they receive: they
 * only record it, so the check at the end sees exactly what the server delivered.
 * <p>
 * Faults, one at a time, at random: kill -9, SIGSTOP/SIGCONT or SIGTERM of a node (restarting it), a
 * Redis restart, a PostgreSQL restart, a new node joining (and leaving again with SIGTERM). At the end
 * every node is brought back, the clients finish their sends and catch up, and the messages table of
 * each channel is compared with what each client received.
 */
public final class Chaos {

    private final Map<String, String> opts;
    private final int base;
    private final int nodes;
    private final long runMillis;
    private final long faultEveryMillis;
    private final Random random;
    private final Vertx vertx = Vertx.vertx();
    private final Context loop = vertx.getOrCreateContext();
    private final HttpClient http = vertx.createHttpClient(new HttpClientOptions(), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
    private final WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
            .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22).setConnectTimeout(2_000));
    private final long started = System.currentTimeMillis();
    private final List<Client> clients = new ArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    /** Every acked send: clientMsgId → "channel:seq". Touched on the loop only. */
    private final Map<String, String> acked = new HashMap<>();
    private volatile boolean sending = true;

    private Chaos(Map<String, String> opts) {
        this.opts = opts;
        this.base = Integer.parseInt(opts.getOrDefault("base", "8280"));
        this.nodes = Integer.parseInt(opts.getOrDefault("nodes", "3"));
        this.runMillis = (long) (Double.parseDouble(opts.getOrDefault("minutes", "1")) * 60_000);
        this.faultEveryMillis = Long.parseLong(opts.getOrDefault("faultEverySeconds", "10")) * 1000;
        this.random = new Random(Long.parseLong(opts.getOrDefault("seed", String.valueOf(System.nanoTime()))));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                opts.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        int code = new Chaos(opts).run();
        System.exit(code);
    }

    /** One injected fault and what it cost the clients. */
    static final class Fault {
        final String kind;
        final int node;
        final long at;
        long end;
        Fault(String kind, int node, long at) {
            this.kind = kind;
            this.node = node;
            this.at = at;
        }
    }

    /** A disconnection seen by a client: when it lost its socket, when it was subscribed again, what was replayed. */
    record Outage(long lostAt, long backAt, long replayed) {
    }

    private int run() throws Exception {
        int users = Integer.parseInt(opts.getOrDefault("users", "12"));
        int channels = Integer.parseInt(opts.getOrDefault("channels", "3"));
        long sendEvery = Long.parseLong(opts.getOrDefault("sendEveryMillis", "400"));
        log("seeding " + users + " users and " + channels + " channels through node 0");
        List<JsonObject> tokens = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            String handle = "chaos_" + i + "_" + Long.toString(System.nanoTime() % 1_000_000, 36);
            JsonObject t = call(HttpMethod.POST, base, "/api/v1/auth/signup", null,
                    new JsonObject().put("handle", handle).put("password", "chaos-password-" + i));
            tokens.add(t);
        }
        JsonArray members = new JsonArray();
        tokens.subList(1, tokens.size()).forEach(t -> members.add(t.getJsonObject("user").getLong("id")));
        List<Long> channelIds = new ArrayList<>();
        String owner = tokens.get(0).getString("accessToken");
        for (int c = 0; c < channels; c++) {
            JsonObject ch = call(HttpMethod.POST, base, "/api/v1/channels", owner, new JsonObject().put("kind", "private")
                    .put("name", "chaos-" + c + "-" + Long.toString(System.nanoTime() % 1_000_000, 36)).put("memberIds", members));
            channelIds.add(ch.getLong("id"));
        }
        for (int i = 0; i < users; i++) {
            clients.add(new Client(i, tokens.get(i).getString("accessToken"), channelIds, i % nodes));
        }
        loop.runOnContext(v -> clients.forEach(Client::connect));
        waitFor(() -> onLoop(() -> clients.stream().allMatch(c -> c.subscribed)), 30_000, "every client subscribed");
        log("clients subscribed; sending and injecting faults for " + runMillis / 1000 + " s");
        // timers set on the clients' context fire on it: all client state stays on one thread
        loop.runOnContext(v -> vertx.setPeriodic(100, id -> {
            long now = System.currentTimeMillis();
            clients.forEach(c -> c.tick(now, sendEvery));
        }));

        Thread injector = new Thread(this::injectFaults, "chaos-faults");
        injector.start();
        injector.join();

        log("faults over: bringing every node back");
        shell("restore", "0");
        sending = false;
        waitFor(() -> onLoop(() -> clients.stream().allMatch(c -> c.pending == null)), 120_000, "every send acked");
        long settleDeadline = System.currentTimeMillis() + 120_000;
        Map<Long, Long> heads = heads(channelIds);
        while (System.currentTimeMillis() < settleDeadline && !onLoop(() -> caughtUp(heads))) {
            Thread.sleep(250);
        }
        return check(channelIds, heads);
    }

    private boolean caughtUp(Map<Long, Long> heads) {
        return clients.stream().allMatch(c -> heads.entrySet().stream().allMatch(e -> c.last.getOrDefault(e.getKey(), 0L) >= e.getValue()));
    }

    private void injectFaults() {
        String[] kinds = opts.getOrDefault("faults", "kill,term,stop,redis,postgres,join").split(",");
        long end = started + runMillis;
        sleep(Math.min(5_000, runMillis / 6));
        List<String> deck = new ArrayList<>();
        while (System.currentTimeMillis() < end - 5_000) {
            if (deck.isEmpty()) {
                // every kind once per round, in a random order: a short run still sees each of them
                deck.addAll(List.of(kinds));
                java.util.Collections.shuffle(deck, random);
            }
            String kind = deck.remove(0);
            int node = random.nextInt(nodes);
            Fault f = new Fault(kind, node, System.currentTimeMillis());
            faults.add(f);
            log("fault " + faults.size() + ": " + kind + ("redis".equals(kind) || "postgres".equals(kind) ? "" : " node " + node));
            switch (kind) {
                case "kill", "term" -> {
                    shell(kind, String.valueOf(node));
                    sleep(1_000 + random.nextInt(3_000));
                    shell("start", String.valueOf(node));
                }
                case "stop" -> {
                    shell("stop", String.valueOf(node));
                    sleep(2_000 + random.nextInt(6_000));
                    shell("cont", String.valueOf(node));
                }
                case "join" -> {
                    shell("start", String.valueOf(nodes));
                    sleep(3_000 + random.nextInt(5_000));
                    shell("term", String.valueOf(nodes));
                }
                default -> shell(kind, "0");
            }
            f.end = System.currentTimeMillis();
            long gap = (long) (faultEveryMillis * (0.5 + random.nextDouble()));
            sleep(Math.max(1_000, Math.min(gap, end - System.currentTimeMillis())));
        }
    }

    /** scripts/chaos fault KIND NODE: the script knows the cluster's directory, ports and services. */
    private void shell(String kind, String node) {
        try {
            Process p = new ProcessBuilder("scripts/chaos", "fault", kind, node).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of(opts.getOrDefault("log", "data/chaos/faults.log")).toFile())).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log("fault step " + kind + " " + node + " did not finish in 180 s");
            } else if (p.exitValue() != 0) {
                log("fault step " + kind + " " + node + " failed (exit " + p.exitValue() + "); see data/chaos/faults.log");
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<Long, Long> heads(List<Long> channelIds) {
        Pool pool = pool();
        try {
            Map<Long, Long> heads = new HashMap<>();
            for (Row r : pool.preparedQuery("SELECT id, last_seq FROM channels WHERE id = ANY($1)")
                    .execute(Tuple.of(channelIds.toArray(Long[]::new))).await()) {
                heads.put(r.getLong("id"), r.getLong("last_seq"));
            }
            return heads;
        } finally {
            pool.close().await();
        }
    }

    private Pool pool() {
        PgConnectOptions connect = PgConnectOptions.fromUri(opts.getOrDefault("db", "postgresql://parley:parley@127.0.0.1:5432/parley"));
        String schema = opts.getOrDefault("schema", "");
        if (!schema.isEmpty()) {
            connect.setProperties(Map.of("search_path", schema));
        }
        return PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(connect).using(vertx).build();
    }

    /** Compares the database with what each client received and with what was acked; prints the last line. */
    private int check(List<Long> channelIds, Map<Long, Long> heads) {
        Map<Long, Map<Long, String>> stored = new HashMap<>();
        Pool pool = pool();
        try {
            for (Row r : pool.preparedQuery("SELECT channel_id, seq, client_msg_id FROM messages WHERE channel_id = ANY($1) ORDER BY channel_id, seq")
                    .execute(Tuple.of(channelIds.toArray(Long[]::new))).await()) {
                stored.computeIfAbsent(r.getLong("channel_id"), k -> new HashMap<>()).put(r.getLong("seq"), r.getString("client_msg_id"));
            }
        } finally {
            pool.close().await();
        }
        return onLoop(() -> {
            long lost = 0;
            long duplicated = 0;
            long reordered = 0;
            long delivered = 0;
            long gapsInDb = 0;
            for (Map.Entry<Long, Map<Long, String>> e : stored.entrySet()) {
                long head = heads.getOrDefault(e.getKey(), 0L);
                for (long s = 1; s <= head; s++) {
                    if (!e.getValue().containsKey(s)) {
                        gapsInDb++;
                    }
                }
            }
            for (Map.Entry<String, String> a : acked.entrySet()) {
                String[] cs = a.getValue().split(":");
                Map<Long, String> ch = stored.getOrDefault(Long.parseLong(cs[0]), Map.of());
                if (!a.getKey().equals(ch.get(Long.parseLong(cs[1])))) {
                    lost++;
                    log("acked message " + a.getKey() + " (" + a.getValue() + ") is not in the database");
                }
            }
            for (Client c : clients) {
                for (long ch : channelIds) {
                    List<Long> got = c.received.getOrDefault(ch, List.of());
                    delivered += got.size();
                    long prev = 0;
                    java.util.Set<Long> seen = new java.util.HashSet<>();
                    for (long s : got) {
                        if (!seen.add(s)) {
                            duplicated++;
                        } else if (s != prev + 1) {
                            reordered++;
                        }
                        prev = Math.max(prev, s);
                    }
                    for (long s : stored.getOrDefault(ch, Map.of()).keySet()) {
                        if (!seen.contains(s)) {
                            lost++;
                        }
                    }
                }
            }
            writeReport(lost, duplicated, reordered, delivered, gapsInDb);
            System.out.println("acked " + acked.size() + " delivered " + delivered + " lost " + lost + " duplicated " + duplicated
                    + " reordered " + reordered + " faults " + faults.size());
            boolean ok = lost == 0 && duplicated == 0 && reordered == 0 && !acked.isEmpty();
            return ok ? 0 : 1;
        });
    }

    private void writeReport(long lost, long duplicated, long reordered, long delivered, long gapsInDb) {
        JsonArray perFault = new JsonArray();
        List<Outage> outages = new ArrayList<>();
        clients.forEach(c -> outages.addAll(c.outages));
        List<long[]> acks = new ArrayList<>();
        clients.forEach(c -> acks.addAll(c.ackTimes));
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            long until = i + 1 < faults.size() ? faults.get(i + 1).at : Long.MAX_VALUE;
            List<Outage> mine = outages.stream().filter(o -> o.lostAt >= f.at && o.lostAt < until).toList();
            double worstOutage = mine.stream().mapToLong(o -> o.backAt - o.lostAt).max().orElse(0) / 1000.0;
            double worstAck = acks.stream().filter(a -> a[0] >= f.at && a[0] < until).mapToLong(a -> a[1]).max().orElse(0) / 1000.0;
            perFault.add(new JsonObject().put("kind", f.kind).put("node", "redis".equals(f.kind) || "postgres".equals(f.kind) ? null : f.node)
                    .put("atSeconds", (f.at - started) / 1000.0).put("faultSeconds", (f.end - f.at) / 1000.0)
                    .put("reconnects", mine.size()).put("worstReconnectSeconds", worstOutage)
                    .put("replayed", mine.stream().mapToLong(Outage::replayed).sum())
                    .put("worstAckSeconds", worstAck));
        }
        JsonObject byKind = new JsonObject();
        for (Object o : perFault) {
            JsonObject f = (JsonObject) o;
            JsonObject k = byKind.getJsonObject(f.getString("kind"), new JsonObject().put("count", 0).put("reconnects", 0)
                    .put("replayed", 0L).put("worstReconnectSeconds", 0.0).put("worstAckSeconds", 0.0));
            k.put("count", k.getInteger("count") + 1).put("reconnects", k.getInteger("reconnects") + f.getInteger("reconnects"))
                    .put("replayed", k.getLong("replayed") + f.getLong("replayed"))
                    .put("worstReconnectSeconds", Math.max(k.getDouble("worstReconnectSeconds"), f.getDouble("worstReconnectSeconds")))
                    .put("worstAckSeconds", Math.max(k.getDouble("worstAckSeconds"), f.getDouble("worstAckSeconds")));
            byKind.put(f.getString("kind"), k);
        }
        JsonObject report = new JsonObject().put("scenario", "chaos").put("nodes", nodes).put("minutes", runMillis / 60_000.0)
                .put("clients", clients.size()).put("acked", acked.size()).put("delivered", delivered).put("lost", lost)
                .put("duplicated", duplicated).put("reordered", reordered).put("gapsInDatabase", gapsInDb)
                .put("faults", faults.size()).put("byKind", byKind).put("perFault", perFault);
        String out = opts.get("out");
        if (out != null) {
            try {
                Files.writeString(Path.of(out), report.encodePrettily(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                log("cannot write " + out + ": " + e);
            }
        }
        byKind.forEach(e -> log(String.format("%-8s %s", e.getKey(), e.getValue())));
    }

    /** One user's app: one socket at a time, every channel subscribed, one send in flight. */
    final class Client {
        final int id;
        final String token;
        final List<Long> channels;
        int port;
        WebSocket ws;
        boolean connecting;
        boolean subscribed;
        int attempts;
        long lostAt;
        long replayedSinceLost;
        long lastHeard = System.currentTimeMillis();
        long pingSentAt;
        long nextSendAt;
        long nextRef;
        String subscribeRef;
        Pending pending;
        final Map<Long, Long> last = new HashMap<>();
        final Map<Long, List<Long>> received = new HashMap<>();
        final List<Outage> outages = new ArrayList<>();
        /** {sentAt, millis to ack} of every acked send. */
        final List<long[]> ackTimes = new ArrayList<>();

        Client(int id, String token, List<Long> channels, int node) {
            this.id = id;
            this.token = token;
            this.channels = channels;
            this.port = node;
        }

        void connect() {
            if (connecting) {
                return;
            }
            connecting = true;
            subscribed = false;
            int target = base + port;
            wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(target).setURI("/ws?token=" + token)
                    .setTimeout(3_000)).onComplete(ar -> {
                connecting = false;
                if (ar.failed()) {
                    retryLater();
                    return;
                }
                WebSocket s = ar.result();
                ws = s;
                lastHeard = System.currentTimeMillis();
                s.textMessageHandler(text -> {
                    if (ws == s) {
                        onFrame(new JsonObject(text));
                    }
                });
                s.closeHandler(v -> lost(s));
                s.exceptionHandler(t -> lost(s));
                subscribe();
            });
        }

        /** The socket is gone (closed, failed, or silent): reconnect elsewhere. */
        void lost(WebSocket s) {
            if (ws != s) {
                return;
            }
            ws = null;
            subscribed = false;
            if (lostAt == 0) {
                lostAt = System.currentTimeMillis();
                replayedSinceLost = 0;
            }
            s.close();
            if (pending != null) {
                pending.ref = null; // sent again, with the same clientMsgId, once subscribed
            }
            retryLater();
        }

        void retryLater() {
            attempts++;
            port = (port + 1) % (nodes + 1);
            long backoff = Math.min(3_000, 100L << Math.min(5, attempts));
            vertx.setTimer(backoff / 2 + random.nextInt((int) backoff), id -> connect());
        }

        void subscribe() {
            JsonArray items = new JsonArray();
            channels.forEach(ch -> items.add(new JsonObject().put("id", ch).put("since", last.getOrDefault(ch, 0L))));
            subscribeRef = ref();
            write(new JsonObject().put("type", "subscribe").put("ref", subscribeRef).put("channels", items));
        }

        void onFrame(JsonObject f) {
            lastHeard = System.currentTimeMillis();
            String type = f.getString("type");
            String ref = f.getString("ref");
            switch (type) {
                case "message" -> {
                    long ch = f.getLong("channelId");
                    long seq = f.getLong("seq");
                    received.computeIfAbsent(ch, k -> new ArrayList<>()).add(seq);
                    last.merge(ch, seq, Math::max);
                    if (!subscribed) {
                        replayedSinceLost++;
                    }
                }
                case "ack" -> {
                    if (ref != null && ref.equals(subscribeRef)) {
                        subscribed = true;
                        attempts = 0;
                        for (Object o : f.getJsonArray("channels", new JsonArray())) {
                            JsonObject c = (JsonObject) o;
                            if (c.getBoolean("truncated", false)) {
                                log("client " + id + ": replay of channel " + c.getLong("id") + " truncated");
                            }
                        }
                        if (lostAt > 0) {
                            outages.add(new Outage(lostAt, System.currentTimeMillis(), replayedSinceLost));
                            lostAt = 0;
                        }
                    } else if (pending != null && ref != null && ref.equals(pending.ref)) {
                        acked.put(pending.clientMsgId, f.getLong("channelId") + ":" + f.getLong("seq"));
                        ackTimes.add(new long[] {pending.firstSentAt, System.currentTimeMillis() - pending.firstSentAt});
                        pending = null;
                    }
                }
                case "error" -> {
                    if (pending != null && ref != null && ref.equals(pending.ref)) {
                        pending.ref = null; // unavailable, rate_limited, timeout...: the same message again, a little later
                        pending.retryAt = System.currentTimeMillis() + 300;
                    } else if (ref != null && ref.equals(subscribeRef)) {
                        vertx.setTimer(300, id -> {
                            if (ws != null) {
                                subscribe();
                            }
                        });
                    }
                }
                case "pong" -> pingSentAt = 0;
                default -> {
                }
            }
        }

        /** Every 100 ms: sends, pings, and the watchdog that gives up on a silent node after 5 s. */
        void tick(long now, long sendEvery) {
            WebSocket s = ws;
            if (s == null) {
                return;
            }
            if (now - lastHeard > 5_000 && (pingSentAt > 0 || (pending != null && pending.ref != null))) {
                lost(s);
                return;
            }
            if (pingSentAt == 0 && now - lastHeard > 1_500) {
                pingSentAt = now;
                write(new JsonObject().put("type", "ping").put("ref", ref()));
            }
            if (!subscribed) {
                return;
            }
            if (pending == null && sending && now >= nextSendAt) {
                long ch = channels.get(random.nextInt(channels.size()));
                pending = new Pending(ch, "chaos-" + id + "-" + UUID.randomUUID(), now);
                nextSendAt = now + sendEvery / 2 + random.nextInt((int) sendEvery);
            }
            if (pending != null && pending.ref == null && now >= pending.retryAt) {
                pending.ref = ref();
                write(new JsonObject().put("type", "send").put("ref", pending.ref).put("channelId", pending.channelId)
                        .put("clientMsgId", pending.clientMsgId).put("body", "chaos message " + pending.clientMsgId));
            }
        }

        void write(JsonObject frame) {
            WebSocket s = ws;
            if (s != null && !s.isClosed()) {
                s.writeTextMessage(frame.encode());
            }
        }

        String ref() {
            return id + "-" + (++nextRef);
        }
    }

    static final class Pending {
        final long channelId;
        final String clientMsgId;
        final long firstSentAt;
        String ref;
        long retryAt;

        Pending(long channelId, String clientMsgId, long firstSentAt) {
            this.channelId = channelId;
            this.clientMsgId = clientMsgId;
            this.firstSentAt = firstSentAt;
        }
    }

    private JsonObject call(HttpMethod method, int port, String path, String token, JsonObject body) {
        RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("Content-Type", "application/json");
        if (token != null) {
            o.putHeader("Authorization", "Bearer " + token);
        }
        Buffer b = http.request(o).compose(req -> req.send(body.encode()).compose(resp -> resp.body().map(buf -> {
            if (resp.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + ": " + resp.statusCode() + " " + buf);
            }
            return buf;
        }))).await();
        return b.toJsonObject();
    }

    private <T> T onLoop(java.util.function.Supplier<T> f) {
        io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
        loop.runOnContext(v -> p.complete(f.get()));
        return p.future().await();
    }

    private void waitFor(java.util.function.BooleanSupplier done, long millis, String what) {
        long deadline = System.currentTimeMillis() + millis;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                log("gave up waiting for: " + what);
                return;
            }
            sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void log(String line) {
        System.out.printf("[%6.1fs] %s%n", (System.currentTimeMillis() - started) / 1000.0, line);
    }
}
