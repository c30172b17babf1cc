package io.parley.web;

import io.parley.bench.TcpProxy;
import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.NodeProcess;
import io.parley.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.Keys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web chat and the ops console in real headless Chromium, against two real node processes. Each
 * browser reaches the cluster through its own TCP proxy (a load balancer: one origin, the first node that
 * answers behind it), so a killed node's browser reconnects to the other node. Screenshots of every step
 * are under target/screenshots/.
 */
@DisplayName("The web chat in a real browser: two users on two nodes, a dropped network, kill -9, a guest, the ops console")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebChatBrowserIT {

    static final String SCHEMA = "it_web_" + ProcessHandle.current().pid();
    static final int HZ_BASE = TestNode.clusterPortBase();
    static final List<NodeProcess> nodes = new ArrayList<>();
    static Vertx vertx;
    static TcpProxy toA;
    static TcpProxy toB;
    static Api api;
    static Api.User alice;
    static Api.User bob;
    static long direct;
    static Browser a;
    static Browser b;

    static Map<String, String> env(int index) {
        Map<String, String> env = NodeProcess.testEnv(SCHEMA);
        env.put("PARLEY_DB_POOL_SIZE", "4");
        env.put("PARLEY_HTTP_INSTANCES", "1");
        env.put("PARLEY_PRESENCE_BATCH_MILLIS", "200");
        env.put("PARLEY_PRESENCE_OFFLINE_GRACE_SECONDS", "1");
        env.put("PARLEY_CLUSTER_PORT", String.valueOf(HZ_BASE + index));
        env.put("PARLEY_CLUSTER_MEMBERS", IntStream.range(0, 2).mapToObj(i -> "127.0.0.1:" + (HZ_BASE + i)).collect(Collectors.joining(",")));
        return env;
    }

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        for (int i = 0; i < 2; i++) {
            nodes.add(NodeProcess.start("web-node-" + i, env(i)));
        }
        for (NodeProcess n : nodes) {
            n.awaitMembers(2, Duration.ofSeconds(90));
        }
        toA = new TcpProxy(vertx, nodes.get(0).httpPort, nodes.get(1).httpPort);
        toB = new TcpProxy(vertx, nodes.get(1).httpPort, nodes.get(0).httpPort);
        api = new Api(nodes.get(1).httpPort);
        alice = api.signup("alice");
        bob = api.signup("bob");
        direct = api.post("/direct/" + bob.id(), alice.token(), null).json().getLong("id");
        a = new Browser("alice", 1280, 860);
        b = new Browser("bob", 1280, 860);
    }

    @AfterAll
    static void stop() {
        for (Browser br : new Browser[]{a, b}) {
            if (br != null) {
                br.close();
            }
        }
        if (toA != null) {
            toA.close();
            toB.close();
        }
        nodes.forEach(NodeProcess::destroy);
        vertx.close().await();
        TestNode.dropSchema(SCHEMA);
    }

    static String url(TcpProxy p, String path) {
        return "http://127.0.0.1:" + p.port + path;
    }

    static void signIn(Browser br, TcpProxy via, Api.User u) {
        br.open(url(via, "/"));
        br.await("the sign-in form", 10_000, () -> br.present("#signin"));
        br.find("input[name=handle]").sendKeys(u.handle());
        br.find("input[name=password]").sendKeys("password-" + u.handle());
        br.find("#signin-button").click();
        br.await("the chat after signing in", 10_000, () -> br.present("#channels") && "online".equals(br.find("#conn").getText()));
    }

    static void openChannel(Browser br, long id) {
        // the list is drawn again when presence or counts change: a click on a row just replaced is retried
        br.await("a click on channel " + id + " in the list", 10_000, () -> {
            br.find("li[data-channel='" + id + "']").click();
            return true;
        });
        br.await("channel " + id + " open", 10_000, () -> Long.valueOf(id).equals(br.js("return window.parleyView.channelId()")));
    }

    static List<String> bodies(Browser br) {
        return br.js("return window.parleyView.bodies()");
    }

    static List<Long> seqs(Browser br) {
        return br.js("return window.parleyView.seqs()");
    }

    static void type(Browser br, String text) {
        br.find("#composer").sendKeys(text);
        br.find("#composer").sendKeys(Keys.ENTER);
    }

    @Test
    @Order(1)
    @DisplayName("two users on two nodes chat both ways; typing, presence and the read receipt show; a script in a body is text")
    void chatBothWays() {
        signIn(a, toA, alice);
        signIn(b, toB, bob);
        openChannel(a, direct);
        openChannel(b, direct);

        type(a, "hello bob, from node A");
        b.await("alice's message on bob's screen", 10_000, () -> bodies(b).contains("hello bob, from node A"));
        // bob types: alice sees it, then his answer
        b.find("#composer").sendKeys("hi al");
        a.await("bob typing", 10_000, () -> a.find("#typing").getText().contains("is typing"));
        b.find("#composer").sendKeys("ice" + Keys.ENTER);
        a.await("bob's answer", 10_000, () -> bodies(a).contains("hi alice"));
        // a direct channel shows the peer's presence and whether the last message was seen
        a.await("bob online", 10_000, () -> a.present("li[data-channel='" + direct + "'] .dot.online"));
        a.await("the read receipt", 10_000, () -> a.findAll("#messages .tag.seen").size() > 0);

        // what users write is shown as text, never run
        String attack = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";
        type(a, attack);
        b.await("the attack as text", 10_000, () -> b.findAll("#messages .body").stream().anyMatch(e -> e.getText().equals(attack)));
        assertThat(b.findAll("#messages img")).isEmpty();
        assertThat((Object) b.js("return window.__xss")).isNull();
        a.screenshot("chat");
        b.screenshot("chat");
        assertThat(a.consoleErrors()).as("alice's console").isEmpty();
        assertThat(b.consoleErrors()).as("bob's console").isEmpty();
    }

    @Test
    @Order(9)
    @DisplayName("no script can read the refresh token: not in storage, not in document.cookie; the HttpOnly cookie refreshes, also after a reload")
    void refreshTokenOutOfScriptsReach() {
        a.open(url(toA, "/"));
        a.await("alice's chat", 10_000, () -> "online".equals(a.find("#conn").getText()));
        // everything a script of the page can read
        String storage = a.js("return JSON.stringify(Object.entries(localStorage).concat(Object.entries(sessionStorage)))");
        assertThat(storage).as("localStorage and sessionStorage").contains("accessToken").doesNotContain("refreshToken");
        assertThat(a.<String>js("return document.cookie")).as("document.cookie").doesNotContain("parley_refresh");
        assertThat(a.<Boolean>js("return window.parley.refreshMode === 'cookie' && window.isSecureContext")).isTrue();

        // a refresh goes through the cookie: a new access token, and still nothing readable
        String before = a.js("return window.parley.session.accessToken");
        Map<String, Object> refreshed = a.jsAsync("const done = arguments[arguments.length - 1];"
                + "window.parley.refresh().then((u) => done({ ok: true, handle: u.handle }), (e) => done({ ok: false, code: e.code }));");
        assertThat(refreshed).containsEntry("ok", true).containsEntry("handle", alice.handle());
        assertThat(a.<String>js("return window.parley.session.accessToken")).isNotEqualTo(before);
        assertThat(a.<String>js("return JSON.stringify(Object.entries(localStorage))")).doesNotContain("refreshToken");

        // the page loads again with an access token that has run out: the cookie brings the session back
        a.js("const k = 'parley.session'; const s = JSON.parse(localStorage.getItem(k));"
                + "s.accessToken = 'expired'; s.expiresAt = 0; localStorage.setItem(k, JSON.stringify(s));");
        a.open(url(toA, "/"));
        a.await("alice's chat again, after a refresh through the cookie", 15_000, () -> "online".equals(a.find("#conn").getText()));
        assertThat(a.<String>js("return window.parley.session.accessToken")).isNotEqualTo("expired");
        openChannel(a, direct);
        a.await("the composer", 10_000, () -> a.present("#composer"));
        type(a, "after a refresh from the cookie");
        a.await("the send acknowledged over the socket", 10_000, () -> bodies(a).contains("after a refresh from the cookie")
                && a.find("#outbox").getText().isEmpty());
        a.screenshot("after-cookie-refresh");

        // signing out clears the cookie: a refresh of the mode then has nothing to send
        a.find("#signout").click();
        a.await("the form", 10_000, () -> a.present("#signin"));
        Map<String, Object> after = a.jsAsync("const done = arguments[arguments.length - 1];"
                + "fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'x-parley-refresh': 'cookie' } })"
                + ".then((r) => r.json().then((j) => done({ status: r.status, code: j.code })));");
        assertThat(after).containsEntry("status", 401L).containsEntry("code", "unauthorized");

        // a session an older web client kept, refresh token in localStorage: it survives the upgrade, and the
        // token leaves storage for the cookie as the page loads
        JsonObject old = api.post("/auth/signin", null, new JsonObject().put("handle", alice.handle())
                .put("password", "password-" + alice.handle())).json();
        a.js("localStorage.setItem('parley.session', JSON.stringify({ user: arguments[0], accessToken: arguments[1],"
                        + " refreshToken: arguments[2], expiresAt: Date.now() + 600000 }))",
                old.getJsonObject("user").getMap(), old.getString("accessToken"), old.getString("refreshToken"));
        a.open(url(toA, "/"));
        a.await("alice's chat with the kept session", 15_000, () -> "online".equals(a.find("#conn").getText()));
        a.await("the kept token out of storage and moved", 10_000, () -> !a.<String>js("return JSON.stringify(Object.entries(localStorage))")
                .contains("refreshToken") && a.<Object>js("return window.parley.refreshing") == null);
        // the page has no token of its own any more (the move's answer had none): the next refresh is the cookie's
        assertThat(a.<Boolean>js("return window.parley.session.refreshToken === undefined")).isTrue();
        Map<String, Object> viaCookie = a.jsAsync("const done = arguments[arguments.length - 1];"
                + "window.parley.refresh().then(() => done({ ok: true }), (e) => done({ ok: false, code: e.code }));");
        assertThat(viaCookie).as("the next refresh comes from the cookie").containsEntry("ok", true);
        assertThat(a.consoleErrors().stream().filter(l -> !l.contains("401"))).as("alice's console").isEmpty();
    }

    @Test
    @Order(2)
    @DisplayName("a message typed while the network is down is sent once when it comes back")
    void offlineSend() {
        toA.cut();
        a.await("alice offline", 10_000, () -> a.find("#conn").getText().startsWith("offline"));
        type(a, "typed while offline");
        a.await("the outbox", 5_000, () -> a.find("#outbox").getText().contains("typed while offline"));
        a.screenshot("offline");
        Browser.sleep(1500);
        assertThat(bodies(b)).doesNotContain("typed while offline");
        toA.heal();
        a.await("alice online again", 40_000, () -> "online".equals(a.find("#conn").getText()));
        b.await("the message on bob's screen", 10_000, () -> bodies(b).contains("typed while offline"));
        a.await("the outbox empty", 10_000, () -> a.find("#outbox").getText().isEmpty());
        Browser.sleep(1000);
        assertThat(bodies(b).stream().filter("typed while offline"::equals).count()).isEqualTo(1);
        assertThat(bodies(a).stream().filter("typed while offline"::equals).count()).isEqualTo(1);
    }

    @Test
    @Order(4)
    @DisplayName("alice's node is killed with -9 while bob keeps sending: her browser resumes on the other node with every message once, in order")
    void killDashNine() {
        long before = seqs(a).get(seqs(a).size() - 1);
        List<String> sent = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            String body = "k" + i;
            sent.add(body);
            b.js("window.parley.send(arguments[0], arguments[1])", direct, body);
            if (i == 10) {
                nodes.get(0).signal("KILL");
            }
            Browser.sleep(150);
        }
        b.await("bob's outbox empty", 30_000, () -> b.find("#outbox").getText().isEmpty());
        a.await("all 30 messages on alice's screen", 60_000, () -> bodies(a).containsAll(sent));
        a.screenshot("after-kill");
        List<Long> got = seqs(a);
        // every seq once and in order, with nothing missing after the kill
        assertThat(got).doesNotHaveDuplicates().isSorted();
        List<Long> tail = got.stream().filter(s -> s > before).toList();
        assertThat(tail).containsExactlyElementsOf(LongStream.rangeClosed(before + 1, before + 30).boxed().toList());
        List<String> ks = bodies(a).stream().filter(x -> x.matches("k\\d+")).toList();
        assertThat(ks).containsExactlyElementsOf(sent);
        assertThat(a.find("#conn").getText()).isEqualTo("online");
    }

    @Test
    @Order(5)
    @DisplayName("a guest reads a room without joining; scrolling up loads older pages with no gap or repeat, and the DOM stays small")
    void guestScrollsARoom() {
        JsonObject general = api.get("/lounges", bob.token()).json().getJsonArray("lounges").getJsonObject(0);
        long room = general.getJsonArray("rooms").getJsonObject(0).getLong("id");
        api.post("/channels/" + room + "/members", bob.token(), null);
        for (int i = 1; i <= 240; i++) {
            api.post("/channels/" + room + "/messages", bob.token(), new JsonObject().put("body", "line " + i).put("clientMsgId", "r-" + i));
        }
        try (Browser guest = new Browser("guest", 420, 800)) {
            guest.open(url(toB, "/"));
            guest.await("the sign-in form", 10_000, () -> guest.present("#guest"));
            guest.find("input[name=guestName]").sendKeys("Visitor");
            guest.find("#guest-button").click();
            guest.await("the lounges", 10_000, () -> guest.present("li[data-room='" + room + "']"));
            guest.await("a click on the room", 5_000, () -> {
                guest.find("li[data-room='" + room + "']").click();
                return true;
            });
            guest.await("the newest page", 10_000, () -> seqs(guest).size() >= 50);
            assertThat(guest.find("#join-note").getText()).contains("Join");
            guest.screenshot("room");
            for (int i = 0; i < 20 && !seqs(guest).contains(1L); i++) {
                int had = seqs(guest).size();
                guest.js("document.getElementById('messages').scrollTop = 0");
                guest.await("an older page", 10_000, () -> seqs(guest).size() > had || seqs(guest).contains(1L));
            }
            List<Long> all = seqs(guest);
            assertThat(all).containsExactlyElementsOf(LongStream.rangeClosed(1, 240).boxed().toList());
            long rendered = guest.<Long>js("return window.parleyView.rendered()");
            assertThat(rendered).as("rows in the DOM").isLessThan(80);
            guest.js("document.getElementById('messages').scrollTop = 0");
            guest.await("the first message on screen", 5_000, () -> guest.present("#messages .msg[data-seq='1']"));
            assertThat(guest.find("#messages .msg[data-seq='1'] .body").getText()).isEqualTo("line 1");
            guest.screenshot("room-top");

            // the list keeps the DOM small with 10,000 messages too: the same list, fed directly in this page
            Map<String, Object> tenThousand = guest.jsAsync("const done = arguments[arguments.length - 1];"
                    + "import('/virtual-list.js').then(({ VirtualList }) => {"
                    + "  const box = document.createElement('div'); box.className = 'messages'; box.style.height = '600px';"
                    + "  document.body.append(box);"
                    + "  const list = new VirtualList(box, (m) => { const d = document.createElement('div'); d.className = 'msg';"
                    + "    d.textContent = 'message ' + m.seq; return d; }, null, null);"
                    + "  const items = Array.from({ length: 10000 }, (_, i) => ({ seq: i + 1 }));"
                    + "  let t = performance.now(); list.setItems(items, 'bottom'); const setMs = performance.now() - t;"
                    + "  t = performance.now();"
                    + "  for (let k = 1; k <= 100; k++) { box.scrollTop = box.scrollHeight * k / 100; list.render(null); }"
                    + "  const scrollMs = (performance.now() - t) / 100;"
                    + "  const shown = list.renderedCount; box.remove(); done({ shown, setMs, scrollMs }); });");
            // a figure, not a check (docs/benchmarks.md, "The web chat's message list")
            System.out.printf("virtual list, 10,000 messages: first render %.1f ms, a scroll step %.2f ms, %s rows in the DOM%n",
                    ((Number) tenThousand.get("setMs")).doubleValue(), ((Number) tenThousand.get("scrollMs")).doubleValue(),
                    tenThousand.get("shown"));
            assertThat(((Number) tenThousand.get("shown")).longValue()).as("rows in the DOM for 10,000 messages").isBetween(1L, 80L);
            assertThat(guest.consoleErrors()).isEmpty();
        }
    }

    @Test
    @Order(8)
    @DisplayName("alice creates a channel in the page, invites bob by handle, edits and deletes her message; bob sees each change")
    void createInviteEditDelete() {
        a.open(url(toA, "/"));
        b.open(url(toB, "/"));
        a.await("alice's chat", 10_000, () -> "online".equals(a.find("#conn").getText()));
        b.await("bob's chat", 10_000, () -> "online".equals(b.find("#conn").getText()));
        a.find("#new-channel-button").click();
        a.find("#new-channel-name").sendKeys("book club");
        a.find("#new-channel button[type=submit]").click();
        a.await("the new channel open", 10_000, () -> "# book club".equals(a.find("#channel-title").getText()));
        long channel = a.<Long>js("return window.parleyView.channelId()");
        a.find("#invite").click();
        a.find("#invite-handle").sendKeys(bob.handle() + Keys.ENTER);
        a.await("bob invited", 10_000, () -> a.find("#panel .error").getText().endsWith("is in."));
        // bob's page lists the channel at once, without a reload (an `added` frame)
        openChannel(b, channel);
        type(a, "first draft");
        b.await("the message", 10_000, () -> bodies(b).contains("first draft"));
        // edit: the Edit button of her own row (shown on hover and focus) puts the text in the composer
        a.await("alice's row", 5_000, () -> a.present("#messages .msg .actions button"));
        a.find("#messages .msg .actions button[aria-label='Edit message']").click();
        a.find("#composer").sendKeys(Keys.END, ", revised" + Keys.ENTER);
        b.await("the edit", 10_000, () -> bodies(b).contains("first draft, revised"));
        a.find("#messages .msg .actions button[aria-label='Delete message']").click();
        a.driver().switchTo().alert().accept();
        b.await("the deletion", 10_000, () -> b.findAll("#messages .msg.deleted").size() == 1);
        assertThat(b.find("#messages .msg.deleted .body").getText()).isEqualTo("This message was deleted.");
        b.screenshot("edited-deleted");
        assertThat(a.consoleErrors()).isEmpty();
        assertThat(b.consoleErrors()).isEmpty();
    }

    @Test
    @Order(7)
    @DisplayName("a new user signs up in the page; a short password and a wrong one get a sentence; signing out goes back to the form")
    void signUpInThePage() {
        String handle = Api.uniqueHandle("carol");
        try (Browser c = new Browser("carol", 1024, 768)) {
            c.open(url(toB, "/"));
            c.await("the sign-in form", 10_000, () -> c.present("#signin"));
            c.find("input[name=handle]").sendKeys(handle);
            c.find("input[name=password]").sendKeys("short");
            c.find("#signup-button").click();
            c.await("why the password is refused", 10_000, () -> c.find(".auth .error").getText().contains("at least 8 characters"));
            c.screenshot("signup-refused");
            c.find("input[name=password]").sendKeys(" and longer");
            c.find("#signup-button").click();
            c.await("the chat", 10_000, () -> c.present("#channels") && handle.equals(c.find("#me").getText()));
            c.find("#signout").click();
            c.await("the form again", 10_000, () -> c.present("#signin"));
            c.find("input[name=handle]").sendKeys(handle);
            c.find("input[name=password]").sendKeys("wrong password");
            c.find("#signin-button").click();
            c.await("why signing in failed", 10_000, () -> !c.find(".auth .error").getText().isEmpty());
            assertThat(c.present("#channels")).isFalse();
            assertThat(c.consoleErrors().stream().filter(l -> !l.contains("401") && !l.contains("400"))).isEmpty();
        }
    }

    @Test
    @Order(6)
    @DisplayName("in a pre-moderated channel bob's message shows as pending to him; alice approves it from her moderation panel")
    void moderatorApproves() {
        long channel = api.createChannel(alice, "public", "moderated");
        api.post("/channels/" + channel + "/members", bob.token(), null);
        api.send("PATCH", "/channels/" + channel, alice.token(), new JsonObject().put("premoderation", "all"));
        // both pages load again (the session is kept in the browser) and list the new channel
        a.open(url(toA, "/"));
        b.open(url(toB, "/"));
        a.await("alice's chat", 10_000, () -> "online".equals(a.find("#conn").getText()));
        b.await("bob's chat", 10_000, () -> "online".equals(b.find("#conn").getText()));
        openChannel(b, channel);
        openChannel(a, channel);
        type(b, "please approve me");
        b.await("bob's message, pending", 10_000, () -> b.findAll("#messages .msg .tag").stream()
                .anyMatch(t -> t.getText().contains("waiting for a moderator")));
        a.find("#moderation").click();
        a.await("the message in alice's queue", 10_000, () -> a.find("#queue").getText().contains("please approve me"));
        a.screenshot("moderation");
        a.findAll("#queue button").stream().filter(x -> x.getText().equals("Approve")).findFirst().orElseThrow().click();
        b.await("bob's message published", 10_000, () -> b.findAll("#messages .msg .tag").stream()
                .noneMatch(t -> t.getText().contains("waiting")));
        a.await("alice's queue empty", 10_000, () -> !a.find("#queue").getText().contains("please approve me"));
        assertThat(bodies(a)).contains("please approve me");
        assertThat(a.consoleErrors()).isEmpty();
        assertThat(b.consoleErrors()).isEmpty();
    }

    @Test
    @Order(3)
    @DisplayName("an admin sees the ops console's plots move while a load runs")
    void opsConsole() {
        Api.User admin = api.signup("ops");
        TestNode.sql(SCHEMA, "UPDATE users SET role = 'admin' WHERE id = $1", Tuple.of(admin.id()));
        try (Browser ops = new Browser("ops", 1400, 1000)) {
            ops.open(url(toB, "/admin/"));
            ops.await("the console's sign-in", 10_000, () -> ops.present("#admin-signin"));
            ops.find("#admin-handle").sendKeys(admin.handle());
            ops.find("#admin-password").sendKeys("password-" + admin.handle());
            ops.find("#admin-signin").click();
            ops.await("the plots", 10_000, () -> ops.present("#plot-messages"));
            long channel = api.createChannel(bob, "public", "load");
            long deadline = System.currentTimeMillis() + 12_000;
            int i = 0;
            while (System.currentTimeMillis() < deadline) {
                api.post("/channels/" + channel + "/messages", bob.token(), new JsonObject().put("body", "load " + i).put("clientMsgId", "l-" + i++));
            }
            ops.await("messages per second above zero", 15_000, () -> !ops.find("#plot-messages .now").getText().startsWith("0.0"));
            ops.await("points on the query plot", 5_000, () -> Integer.parseInt(ops.find("#plot-queries").getAttribute("data-points")) > 5);
            ops.await("both nodes reporting", 10_000, () -> ops.find("#ops-node").getText().contains("2 reporting"));
            ops.await("a line per node on the sockets plot", 5_000, () -> ops.findAll("#plot-sockets .legend span").size() == 2);
            assertThat(ops.find("#ops-status").getText()).isEqualTo("live");
            ops.screenshot("console");
            assertThat(ops.consoleErrors()).isEmpty();
        }
    }
}
