package io.parley.cluster;

import io.parley.support.Api;
import io.parley.support.NodeProcess;
import io.parley.support.ResilientClient;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static io.parley.support.WsClient.send;
import static io.parley.support.WsClient.subscribe;
import static io.parley.support.WsClient.subscribeSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real cluster: separate JVMs of the fat jar on 127.0.0.1, one shared PostgreSQL schema and Redis. The
 * tests run in order through the life of one cluster: three nodes, a fourth added, one frozen and thawed,
 * one killed with -9 under load, one stopped with SIGTERM under load.
 */
@DisplayName("Cluster of real node processes: fan-out, added node, freeze, kill -9, SIGTERM, service API")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class ClusterIT {

    static final String SCHEMA = "it_cluster_" + ProcessHandle.current().pid();
    static final int PRESENCE_TTL_SECONDS = 4;
    static final int PRESENCE_SWEEP_SECONDS = 2;
    static final int HZ_BASE = TestNode.clusterPortBase();
    static final List<NodeProcess> nodes = new ArrayList<>();
    static Vertx vertx;
    static Api api;
    static Api.User owner;

    static Map<String, String> env(int index) {
        Map<String, String> env = NodeProcess.testEnv(SCHEMA);
        env.put("PARLEY_DB_POOL_SIZE", "4");
        env.put("PARLEY_HTTP_INSTANCES", "1");
        env.put("PARLEY_PRESENCE_HEARTBEAT_SECONDS", "1");
        env.put("PARLEY_PRESENCE_CONNECTION_TTL_SECONDS", String.valueOf(PRESENCE_TTL_SECONDS));
        env.put("PARLEY_PRESENCE_OFFLINE_GRACE_SECONDS", "1");
        env.put("PARLEY_PRESENCE_BATCH_MILLIS", "200");
        env.put("PARLEY_PRESENCE_SWEEP_SECONDS", String.valueOf(PRESENCE_SWEEP_SECONDS));
        env.put("PARLEY_CLUSTER_PORT", String.valueOf(HZ_BASE + index));
        env.put("PARLEY_CLUSTER_MEMBERS", java.util.stream.IntStream.range(0, 6)
                .mapToObj(i -> "127.0.0.1:" + (HZ_BASE + i)).collect(Collectors.joining(",")));
        return env;
    }

    @BeforeAll
    static void startCluster() {
        vertx = Vertx.vertx();
        for (int i = 0; i < 3; i++) {
            nodes.add(NodeProcess.start("cluster-node-" + i, env(i)));
        }
        for (NodeProcess n : nodes) {
            Duration d = n.awaitMembers(3, Duration.ofSeconds(90));
            System.out.println(n.name + " up and sees 3 members after " + d.toMillis() + " ms");
        }
        api = new Api(nodes.get(0).httpPort);
        owner = api.signup("owner");
    }

    @AfterAll
    static void stopCluster() {
        nodes.forEach(NodeProcess::destroy);
        vertx.close().await();
        TestNode.dropSchema(SCHEMA);
    }

    static List<Integer> livePorts() {
        return nodes.stream().filter(n -> n.process.isAlive()).map(n -> n.httpPort).toList();
    }

    @Test
    @Order(1)
    @DisplayName("a client on node A receives a message sent on node C, over HTTP and over WebSocket")
    void crossNode() {
        NodeProcess a = nodes.get(0);
        NodeProcess c = nodes.get(2);
        Api.User reader = new Api(a.httpPort).signup("reader");
        long ch = api.createChannel(owner, "private", "cross", reader.id());
        try (WsClient onA = WsClient.connect(vertx, a.httpPort, reader.token());
             WsClient onC = WsClient.connect(vertx, c.httpPort, owner.token())) {
            assertThat(onA.request(subscribe(ch)).getString("type")).isEqualTo("ack");
            new Api(c.httpPort).sendMessage(owner, ch, "over http on C");
            assertThat(onA.next("message").getString("body")).isEqualTo("over http on C");
            JsonObject ack = onC.request(send(ch, "ws-c", "over ws on C"));
            assertThat(ack.getString("type")).isEqualTo("ack");
            JsonObject got = onA.next("message");
            assertThat(got.getString("body")).isEqualTo("over ws on C");
            assertThat(got.getLong("seq")).isEqualTo(ack.getLong("seq"));
        }
    }

    @Test
    @Order(2)
    @DisplayName("an internal service, as its own JVM, joins the cluster and posts through parley.api.send")
    void serviceExample() {
        Map<String, String> env = env(5);
        NodeProcess tool = NodeProcess.startClass("service-user", env, "io.parley.tools.ServiceUser", "deploy_bot", "Deploy Bot");
        assertThat(tool.awaitExit(Duration.ofSeconds(60))).isTrue();
        assertThat(tool.process.exitValue()).as(tool.output()).isZero();
        String[] lines = tool.output().strip().split("\\R");
        long botId = Long.parseLong(lines[lines.length - 1].strip());
        long ch = api.createChannel(owner, "private", "deploys", botId);
        try (WsClient onB = WsClient.connect(vertx, nodes.get(1).httpPort, owner.token())) {
            assertThat(onB.request(subscribe(ch)).getString("type")).isEqualTo("ack");
            NodeProcess svc = NodeProcess.startClass("service-example", env, "io.parley.examples.PostMessage",
                    String.valueOf(ch), String.valueOf(botId), "release 1.2 is out");
            assertThat(svc.awaitExit(Duration.ofSeconds(90))).as("the example exits by itself").isTrue();
            assertThat(svc.process.exitValue()).as(svc.tail()).isZero();
            assertThat(svc.output()).contains("sent: {").contains("heard message");
            JsonObject got = onB.next("message");
            assertThat(got.getLong("senderId")).isEqualTo(botId);
            assertThat(got.getString("body")).isEqualTo("release 1.2 is out");
        }
        // the README's way: a public channel the service is not in yet; the example joins it, then posts
        long general = api.createChannel(owner, "public", "general-" + System.nanoTime() % 100_000);
        NodeProcess joiner = NodeProcess.startClass("service-joins", env, "io.parley.examples.PostMessage",
                String.valueOf(general), String.valueOf(botId), "hello from a service");
        assertThat(joiner.awaitExit(Duration.ofSeconds(90))).as("the example exits by itself").isTrue();
        assertThat(joiner.process.exitValue()).as(joiner.tail()).isZero();
        assertThat(joiner.output()).contains("joined: {").contains("\"added\":true").contains("sent: {").contains("heard message");
        // a person's id is refused as a sender: services cannot speak as users
        NodeProcess impostor = NodeProcess.startClass("service-impostor", env, "io.parley.examples.PostMessage",
                String.valueOf(ch), String.valueOf(owner.id()), "I am the owner");
        assertThat(impostor.awaitExit(Duration.ofSeconds(90))).isTrue();
        assertThat(impostor.process.exitValue()).isEqualTo(1);
        assertThat(impostor.output()).contains("refused: code 3100");
    }

    @Test
    @Order(3)
    @DisplayName("a node added while clients are talking joins and serves at once")
    void nodeAdded() {
        Api.User reader = api.signup("latecomer");
        long ch = api.createChannel(owner, "public", "growing", reader.id());
        for (int i = 0; i < 5; i++) {
            api.sendMessage(owner, ch, "before " + i);
        }
        NodeProcess d = NodeProcess.start("cluster-node-3", env(3));
        nodes.add(d);
        Duration joined = d.awaitMembers(4, Duration.ofSeconds(90));
        System.out.println("added node serves after " + joined.toMillis() + " ms");
        for (NodeProcess n : nodes) {
            assertThat(n.members()).isEqualTo(4);
        }
        try (WsClient onD = WsClient.connect(vertx, d.httpPort, reader.token())) {
            onD.send(subscribeSince(ch, 0));
            for (int i = 0; i < 5; i++) {
                assertThat(onD.next("message").getLong("seq")).isEqualTo(i + 1);
            }
            api.sendMessage(owner, ch, "after the new node came");
            assertThat(onD.next("message").getLong("seq")).isEqualTo(6);
        }
    }

    @Test
    @Order(4)
    @DisplayName("a node frozen with SIGSTOP for 10 s is dropped within seconds, and after SIGCONT rejoins one cluster and serves")
    void freezeAndThaw() {
        NodeProcess a = nodes.get(0);
        NodeProcess frozen = nodes.get(2);
        Api.User reader = api.signup("frozen_reader");
        long ch = api.createChannel(owner, "private", "freeze", reader.id());
        try (WsClient onFrozen = WsClient.connect(vertx, frozen.httpPort, reader.token());
             WsClient onA = WsClient.connect(vertx, a.httpPort, owner.token())) {
            assertThat(onFrozen.request(subscribe(ch)).getString("type")).isEqualTo("ack");
            assertThat(onA.request(subscribe(ch)).getString("type")).isEqualTo("ack");
            long frozenAt = System.nanoTime();
            frozen.signal("STOP");
            Duration dropped = a.awaitMembers(3, Duration.ofSeconds(20));
            System.out.println("frozen node dropped after " + dropped.toMillis() + " ms");
            assertThat(dropped).isLessThan(Duration.ofSeconds(10));
            // a plain pause: the freeze lasting its full 10 s is what is tested
            NodeProcess.sleep(Math.max(0, 10_000 - (System.nanoTime() - frozenAt) / 1_000_000));
            frozen.signal("CONT");
            long thawedAt = System.nanoTime();
            for (NodeProcess n : nodes) {
                n.awaitMembers(4, Duration.ofSeconds(30));
            }
            System.out.println("one cluster of 4 again " + (System.nanoTime() - thawedAt) / 1_000_000 + " ms after SIGCONT");
            // subscriptions made before the freeze work again: a message from each side until both sockets get one
            AtomicInteger k = new AtomicInteger();
            await("both directions deliver within 30 s of SIGCONT").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                    .pollInSameThread().until(() -> {
                        new Api(a.httpPort).sendMessage(owner, ch, "after thaw " + k.get());
                        new Api(frozen.httpPort).sendMessage(reader, ch, "from the thawed node " + k.incrementAndGet());
                        return !onFrozen.drain("message", 700).isEmpty() & !onA.drain("message", 300).isEmpty();
                    });
            System.out.println("subscriptions work again " + (System.nanoTime() - thawedAt) / 1_000_000 + " ms after SIGCONT");
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    @Order(5)
    @DisplayName("kill -9 of a node under load: clients resume elsewhere with since; every acked message reaches every subscriber once")
    void killDashNine() throws Exception {
        NodeProcess victim = nodes.get(1);
        // a user connected only to the victim, watched by someone on another node
        Api.User lonely = new Api(victim.httpPort).signup("lonely");
        Api.User watcher = api.signup("watcher");
        long dm = api.post("/direct/" + lonely.id(), watcher.token(), null).json().getLong("id");
        WsClient lonelySocket = WsClient.connect(vertx, victim.httpPort, lonely.token());
        WsClient watcherSocket = WsClient.connect(vertx, nodes.get(0).httpPort, watcher.token());
        watcherSocket.request(subscribe(dm));
        long[] killedAt = new long[1];
        CompletableFuture<Duration>[] dropped = new CompletableFuture[1];
        Result r = underLoad(victim, () -> {
            killedAt[0] = System.nanoTime();
            victim.process.destroyForcibly();
            // how long the survivors take to drop the dead member
            dropped[0] = CompletableFuture.supplyAsync(() -> nodes.get(0).awaitMembers(3, Duration.ofSeconds(30)));
        });
        assertThat(victim.awaitExit(Duration.ofSeconds(10))).isTrue();
        System.out.println("killed node dropped after " + dropped[0].get().toMillis() + " ms");
        assertThat(dropped[0].get()).isLessThan(Duration.ofSeconds(10));
        // its users go offline within the connection TTL plus a sweep, and watchers are told
        JsonObject offline = watcherSocket.next(f -> "presence".equals(f.getString("type")) && f.getLong("userId") == lonely.id()
                && !f.getBoolean("online"), 30_000);
        long offlineAfter = (offline.getLong(WsClient.RECEIVED_AT) - killedAt[0]) / 1_000_000;
        System.out.println("user of the killed node announced offline after " + offlineAfter + " ms (ttl "
                + PRESENCE_TTL_SECONDS + " s, sweep " + PRESENCE_SWEEP_SECONDS + " s)");
        assertThat(offline.getString("lastSeenAt")).isNotNull();
        assertThat(offlineAfter).as("within ttl + sweep + batch, with margin").isLessThan((PRESENCE_TTL_SECONDS + 2L * PRESENCE_SWEEP_SECONDS + 3) * 1000);
        assertThat(api.get("/presence?userIds=" + lonely.id(), watcher.token()).json().getJsonArray("presence").getJsonObject(0)
                .getBoolean("online")).isFalse();
        lonelySocket.close();
        watcherSocket.close();
        for (NodeProcess n : nodes) {
            if (n.process.isAlive()) {
                n.awaitMembers(3, Duration.ofSeconds(20));
            }
        }
        System.out.println("kill -9: " + r);
        assertThat(r.lost).isZero();
        assertThat(r.duplicates).isZero();
        assertThat(r.unacked).isZero();
        assertThat(r.outOfOrder).isZero();
        assertThat(r.reconnects).isPositive();
    }

    @Test
    @Order(6)
    @DisplayName("SIGTERM drains: sockets close with 1012, in-flight sends finish, nothing acked is lost, the process exits by itself")
    void sigterm() throws Exception {
        NodeProcess victim = nodes.get(2);
        long[] stoppedIn = new long[1];
        Result r = underLoad(victim, () -> {
            long t = System.nanoTime();
            victim.signal("TERM");
            assertThat(victim.awaitExit(Duration.ofSeconds(30))).as("exits within 30 s").isTrue();
            stoppedIn[0] = (System.nanoTime() - t) / 1_000_000;
        });
        System.out.println("SIGTERM: exited in " + stoppedIn[0] + " ms; " + r);
        assertThat(victim.output()).contains("Shutting down").contains("Stopped in");
        assertThat(r.closeCodes).contains((short) 1012);
        assertThat(r.lost).isZero();
        assertThat(r.duplicates).isZero();
        assertThat(r.unacked).isZero();
        for (NodeProcess n : nodes) {
            if (n.process.isAlive()) {
                n.awaitMembers(2, Duration.ofSeconds(20));
            }
        }
    }

    record Result(int sent, int acked, int unacked, int subscribers, long delivered, long lost, long duplicates,
                  long outOfOrder, int reconnects, Set<Short> closeCodes) {
        @Override
        public String toString() {
            return "sent=" + sent + " acked=" + acked + " unacked=" + unacked + " subscribers=" + subscribers
                    + " delivered=" + delivered + " lost=" + lost + " duplicates=" + duplicates + " outOfOrder=" + outOfOrder
                    + " reconnects=" + reconnects + " closeCodes=" + closeCodes;
        }
    }

    /**
     * Two subscribers and one sender on every live node; senders stream messages (retrying unacked ones on
     * another node with the same clientMsgId); {@code disrupt} runs on {@code victim} a third of the way in.
     */
    static Result underLoad(NodeProcess victim, Runnable disrupt) throws Exception {
        List<Integer> ports = livePorts();
        long ch = api.createChannel(owner, "public", "load-" + victim.name);
        List<ResilientClient> subs = new ArrayList<>();
        List<ResilientClient> senders = new ArrayList<>();
        for (int port : ports) {
            for (int k = 0; k < 3; k++) {
                Api.User u = new Api(port).signup("load");
                new Api(port).post("/channels/" + ch + "/members", u.token(), null);
                ResilientClient c = new ResilientClient(vertx, u.token(), ch, ports, port);
                c.connect();
                (k < 2 ? subs : senders).add(c);
            }
        }
        int perSender = 120;
        AtomicInteger progress = new AtomicInteger();
        Map<String, Long> acked = new java.util.concurrent.ConcurrentHashMap<>();
        List<CompletableFuture<Void>> streams = new ArrayList<>();
        for (int s = 0; s < senders.size(); s++) {
            ResilientClient sender = senders.get(s);
            int id = s;
            streams.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perSender; i++) {
                    String cmid = "s" + id + "-" + i;
                    long seq = sender.sendUntilAcked(cmid, "msg " + cmid, () -> 60);
                    if (seq > 0) {
                        acked.put(cmid, seq);
                    }
                    progress.incrementAndGet();
                    NodeProcess.sleep(15); // the senders' pace, not a wait for something
                }
            }));
        }
        int total = perSender * senders.size();
        await("a third of the sends done").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> progress.get() >= total / 3);
        disrupt.run();
        CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new)).get(120, java.util.concurrent.TimeUnit.SECONDS);

        Set<Long> ackedSeqs = new HashSet<>(acked.values());
        try {
            await("every acked message at every subscriber").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> subs.stream().allMatch(c -> new HashSet<>(c.received).containsAll(ackedSeqs)));
        } catch (ConditionTimeoutException e) {
            // not all there: the counts below say what is missing, and the callers assert on them
        }
        long lost = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long delivered = 0;
        int reconnects = 0;
        Set<Short> codes = new HashSet<>();
        for (ResilientClient c : subs) {
            List<Long> got = List.copyOf(c.received);
            delivered += got.size();
            Set<Long> unique = new HashSet<>(got);
            duplicates += got.size() - unique.size();
            lost += ackedSeqs.stream().filter(seq -> !unique.contains(seq)).count();
            for (int i = 1; i < got.size(); i++) {
                if (got.get(i) <= got.get(i - 1)) {
                    outOfOrder++;
                }
            }
            reconnects += c.reconnects.get();
            codes.addAll(c.closeCodes);
        }
        for (ResilientClient c : senders) {
            reconnects += c.reconnects.get();
            codes.addAll(c.closeCodes);
        }
        subs.forEach(ResilientClient::close);
        senders.forEach(ResilientClient::close);
        // every seq of the channel is an acked message: nothing was committed without its sender knowing
        assertThat(ackedSeqs).hasSize(acked.size());
        return new Result(total, acked.size(), total - acked.size(), subs.size(), delivered, lost, duplicates, outOfOrder,
                reconnects, codes);
    }
}
