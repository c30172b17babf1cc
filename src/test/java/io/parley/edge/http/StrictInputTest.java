package io.parley.edge.http;

import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input that used to give a 500, or to be stored as something else than what was sent: NUL bytes,
 * numbers past 2^63, overlong UTF-8, lone surrogates, comments and duplicate keys, guests named at
 * channel creation, look-alike handles and names, the phone-number oracle, presence of strangers and
 * direct channels that pulled back someone who left. Each refusal is checked for its status and code,
 * and that nothing was stored, by reading back through the API.
 */
@DisplayName("Strict input: what used to be a 500 or silent corruption is refused, and nothing is stored")
class StrictInputTest {

    static TestNode node;
    static Api api;
    static Api.User owner;
    static Api.User other;
    static long channel;
    static final HttpClient RAW = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        node = TestNode.start(StrictInputTest.class);
        api = node.api;
        owner = api.signup("owner");
        other = api.signup("other");
        channel = api.createChannel(owner, "public", "strict");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** The channel's message bodies, newest first, as the owner reads them. */
    private static JsonArray messages(long ch) {
        Resp r = api.get("/channels/" + ch + "/messages?limit=50", owner.token());
        assertThat(r.status()).isEqualTo(200);
        return r.json().getJsonArray("messages");
    }

    private static long channelCount(Api.User u) {
        return api.get("/channels", u.token()).json().getJsonArray("channels").size();
    }

    /** A request with exactly these bytes as its body (the JDK client sends them as they are). */
    private static Resp raw(String method, String path, String token, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port + "/api/v1" + path))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = RAW.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""), null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                out.writeBytes((byte[]) p);
            }
        }
        return out.toByteArray();
    }

    private static void assertProblem(Resp r, int status, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.json().getString("detail")).isNotBlank().doesNotContain("Exception");
    }

    private static String messagesPath(long ch) {
        return "/channels/" + ch + "/messages";
    }

    // 1. NUL

    @Test
    @DisplayName("a NUL in a sign-in handle or a search query is 400 validation_failed, not a Postgres error")
    void nulNeverReachesPostgres() {
        Resp signin = api.post("/auth/signin", null, "{\"handle\":\"alice\\u0000\",\"password\":\"whatever-long\"}");
        assertProblem(signin, 400, "validation_failed");
        assertProblem(api.get("/search?q=a%00b", owner.token()), 400, "validation_failed");
        long before = channelCount(owner);
        assertProblem(api.post("/channels", owner.token(), "{\"kind\":\"public\",\"name\":\"nul\\u0000name\"}"), 400, "validation_failed");
        assertProblem(api.post("/channels", owner.token(), "{\"kind\":\"public\",\"name\":\"ok\",\"topic\":\"t\\u0000\"}"), 400, "validation_failed");
        assertThat(channelCount(owner)).isEqualTo(before);
        int stored = messages(channel).size();
        assertProblem(api.post(messagesPath(channel), owner.token(), "{\"body\":\"a\\u0000b\",\"clientMsgId\":\"n1\"}"), 400, "validation_failed");
        assertProblem(api.post(messagesPath(channel), owner.token(), "{\"body\":\"ab\",\"clientMsgId\":\"n\\u00002\"}"), 400, "validation_failed");
        assertProblem(api.post("/auth/signup", null, "{\"handle\":\"nulname\",\"password\":\"long enough\",\"displayName\":\"x\\u0000\"}"),
                400, "validation_failed");
        assertThat(messages(channel)).hasSize(stored);
        assertThat(api.post("/auth/signin", null, new JsonObject().put("handle", "nulname").put("password", "long enough")).status())
                .isEqualTo(401);
    }

    // 2. numbers past 2^63

    @Test
    @DisplayName("a userId past 2^63 is 400 and invites nobody (it used to wrap to user 2)")
    void bigUserIdIsRefused() {
        long ch = api.createChannel(owner, "private", "wrap");
        BigInteger wrapsToOther = BigInteger.TWO.pow(64).add(BigInteger.valueOf(other.id()));
        for (String n : new String[]{wrapsToOther.toString(), other.id() + ".5", "-" + other.id(), other.id() + "e300", "1e-400"}) {
            Resp r = api.post("/channels/" + ch + "/members", owner.token(), "{\"userId\":" + n + "}");
            assertProblem(r, 400, "validation_failed");
        }
        assertProblem(api.post("/channels", owner.token(), "{\"kind\":\"private\",\"name\":\"w\",\"memberIds\":[" + wrapsToOther + "]}"),
                400, "validation_failed");
        assertProblem(api.post("/channels/" + channel + "/read", owner.token(), "{\"seq\":18446744073709551617}"), 400, "validation_failed");
        // the other user is in no channel of the owner's
        assertThat(api.get("/channels/" + ch, other.token()).status()).isEqualTo(404);
        assertThat(channelCount(other)).isZero();
    }

    @Test
    @DisplayName("a WebSocket send with channelId 2^64 + id is an error frame and posts nothing there")
    void bigChannelIdOverWebSocket() {
        int stored = messages(channel).size();
        BigInteger wraps = BigInteger.TWO.pow(64).add(BigInteger.valueOf(channel));
        try (WsClient ws = WsClient.connect(node.vertx, node.port, owner.token())) {
            for (String n : new String[]{wraps.toString(), channel + ".25", "-" + channel}) {
                ws.sendText("{\"type\":\"send\",\"ref\":\"big\",\"channelId\":" + n
                        + ",\"clientMsgId\":\"w" + n.length() + "\",\"body\":\"wrapped\"}");
                JsonObject err = ws.reply("big");
                assertThat(err.getString("type")).isEqualTo("error");
                assertThat(err.getString("code")).isEqualTo("validation_failed");
            }
            ws.sendText("{\"type\":\"subscribe\",\"ref\":\"sub\",\"channels\":[{\"id\":" + wraps + "}]}");
            assertThat(ws.reply("sub").getString("code")).isEqualTo("validation_failed");
        }
        assertThat(messages(channel)).hasSize(stored);
    }

    // 3. strict JSON

    @Test
    @DisplayName("overlong UTF-8 (C0 AF for '/') in an HTTP body is 400 invalid_json and nothing is stored")
    void overlongUtf8OverHttp() {
        int stored = messages(channel).size();
        byte[] body = bytes("{\"body\":\"a", new byte[]{(byte) 0xC0, (byte) 0xAF}, "b\",\"clientMsgId\":\"ov1\"}");
        assertProblem(raw("POST", "/channels/" + channel + "/messages", owner.token(), body), 400, "invalid_json");
        // an encoded surrogate (ED A0 80) and a truncated sequence are refused the same way
        assertProblem(raw("POST", "/channels/" + channel + "/messages", owner.token(),
                bytes("{\"body\":\"", new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\",\"clientMsgId\":\"ov2\"}")), 400, "invalid_json");
        assertProblem(raw("POST", "/channels/" + channel + "/messages", owner.token(),
                bytes("{\"body\":\"x", new byte[]{(byte) 0xE2, (byte) 0x82}, "\",\"clientMsgId\":\"ov3\"}")), 400, "invalid_json");
        assertThat(messages(channel)).hasSize(stored);
        // real multi-byte UTF-8 still goes through, as it was sent
        Resp ok = raw("POST", "/channels/" + channel + "/messages", owner.token(), bytes("{\"body\":\"caf\u00e9 \ud83d\ude00\",\"clientMsgId\":\"ov4\"}"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        assertThat(messages(channel).getJsonObject(0).getString("body")).isEqualTo("caf\u00e9 \ud83d\ude00");
    }

    @Test
    @DisplayName("a lone surrogate escape, comments and duplicate keys in an HTTP body are 400 and nothing is stored")
    void strictJsonOverHttp() {
        int stored = messages(channel).size();
        String path = "/channels/" + channel + "/messages";
        assertProblem(api.post(path, owner.token(), "{\"body\":\"half \\ud800 a pair\",\"clientMsgId\":\"s1\"}"), 400, "invalid_json");
        assertProblem(api.post(path, owner.token(), "{\"body\":\"low first \\udc00\\ud800\",\"clientMsgId\":\"s2\"}"), 400, "invalid_json");
        assertProblem(api.post(path, owner.token(), "{\"body\":\"hi\", /* note */ \"clientMsgId\":\"s3\"}"), 400, "invalid_json");
        assertProblem(api.post(path, owner.token(), "{\"body\":\"hi\",\n// note\n\"clientMsgId\":\"s4\"}"), 400, "invalid_json");
        Resp dup = api.post(path, owner.token(), "{\"body\":\"first\",\"body\":\"second\",\"clientMsgId\":\"s5\"}");
        assertProblem(dup, 400, "invalid_json");
        assertThat(dup.json().getString("detail")).contains("\"body\"");
        assertProblem(api.post(path, owner.token(), "{\"body\":\"hi\",\"clientMsgId\":\"s6\"} {}"), 400, "invalid_json");
        assertProblem(api.post(path, owner.token(), "{\"deep\":" + "[".repeat(40) + "]".repeat(40) + "}"), 400, "invalid_json");
        assertThat(messages(channel)).hasSize(stored);
        // an escaped pair is one character, and is kept
        Resp pair = api.post(path, owner.token(), "{\"body\":\"smile \\ud83d\\ude00\",\"clientMsgId\":\"s7\"}");
        assertThat(pair.status()).as(pair.body()).isEqualTo(201);
        assertThat(messages(channel).getJsonObject(0).getString("body")).isEqualTo("smile \ud83d\ude00");
    }

    @Test
    @DisplayName("over WebSocket the same mistakes are error frames; invalid UTF-8 closes with 1007; nothing is stored")
    void strictJsonOverWebSocket() {
        int stored = messages(channel).size();
        try (WsClient ws = WsClient.connect(node.vertx, node.port, owner.token())) {
            String[] frames = {
                    "{\"type\":\"send\",\"channelId\":" + channel + ",\"clientMsgId\":\"ws1\",\"body\":\"lone \\ud800\"}",
                    "{\"type\":\"send\",\"channelId\":" + channel + ",\"clientMsgId\":\"ws2\",/* c */\"body\":\"hi\"}",
                    "{\"type\":\"send\",\"channelId\":" + channel + ",\"clientMsgId\":\"ws3\",\"body\":\"a\",\"body\":\"b\"}",
                    "{\"type\":\"send\",\"channelId\":" + channel + ",\"clientMsgId\":\"ws4\",\"body\":\"nul\\u0000\"}",
            };
            String[] codes = {"invalid_json", "invalid_json", "invalid_json", "validation_failed"};
            for (int i = 0; i < frames.length; i++) {
                ws.sendText(frames[i]);
                JsonObject err = ws.next("error");
                assertThat(err.getString("code")).as(frames[i]).isEqualTo(codes[i]);
                assertThat(err.getString("message")).isNotBlank();
            }
            // the connection is still usable after a refused frame, and any numeric ref comes back as sent
            assertThat(ws.request(WsClient.ping()).getString("type")).isEqualTo("pong");
            ws.sendText("{\"type\":\"ping\",\"ref\":18446744073709551617}");
            assertThat(ws.next("pong").getValue("ref").toString()).isEqualTo("18446744073709551617");
            ws.sendText("{\"type\":\"ping\",\"ref\":2.5}");
            assertThat(ws.next("pong").getValue("ref").toString()).isEqualTo("2.5");
        }
        try (WsClient ws = WsClient.connect(node.vertx, node.port, owner.token())) {
            byte[] overlong = bytes("{\"type\":\"send\",\"channelId\":" + channel + ",\"clientMsgId\":\"ws5\",\"body\":\"a",
                    new byte[]{(byte) 0xC0, (byte) 0xAF}, "\"}");
            ws.ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, overlong, true)).await();
            assertThat(ws.awaitClose(5_000)).isEqualTo((short) 1007);
        }
        assertThat(messages(channel)).hasSize(stored);
    }

    // 4. guests named at creation

    @Test
    @DisplayName("creating a channel with a guest in memberIds is 403 and creates nothing")
    void guestCannotBeNamedAtCreation() {
        Api.User guest = api.guest("Visitor");
        long before = channelCount(owner);
        for (String kind : new String[]{"private", "public"}) {
            Resp r = api.post("/channels", owner.token(), new JsonObject().put("kind", kind).put("name", "with guest")
                    .put("memberIds", new JsonArray().add(other.id()).add(guest.id())));
            assertProblem(r, 403, "forbidden");
        }
        assertThat(channelCount(owner)).isEqualTo(before);
        assertThat(channelCount(other)).isZero();
        Resp joined = api.get("/channels", guest.token());
        assertThat(joined.json().getJsonArray("channels").stream().map(o -> ((JsonObject) o).getString("kind")))
                .doesNotContain("private", "public");
    }

    // 5. look-alikes and invisible text

    @Test
    @DisplayName("display names, channel names and topics refuse direction controls and invisible-only text")
    void bidiAndInvisibleText() {
        String[] bad = {"evil\u202Egnp.exe", "\u200B\u200B", "\u2066x\u2069", "a\u200Fb", " \u2060\uFEFF ", "\u3164"};
        for (String name : bad) {
            Resp guest = api.post("/auth/guest", null, new JsonObject().put("displayName", name));
            assertProblem(guest, 400, "validation_failed");
            String handle = Api.uniqueHandle("bidi");
            Resp signup = api.post("/auth/signup", null, new JsonObject().put("handle", handle).put("password", "long enough")
                    .put("displayName", name));
            assertProblem(signup, 400, "validation_failed");
            assertThat(api.post("/auth/signin", null, new JsonObject().put("handle", handle).put("password", "long enough")).status())
                    .isEqualTo(401);
        }
        long before = channelCount(owner);
        assertProblem(api.post("/channels", owner.token(), new JsonObject().put("kind", "public").put("name", "news\u202E")), 400, "validation_failed");
        assertProblem(api.post("/channels", owner.token(), new JsonObject().put("kind", "public").put("name", "\u200D")), 400, "validation_failed");
        assertProblem(api.post("/channels", owner.token(), new JsonObject().put("kind", "public").put("name", "ok")
                .put("topic", "\u202Atopic")), 400, "validation_failed");
        assertThat(channelCount(owner)).isEqualTo(before);
        // right-to-left text itself is fine
        assertThat(api.post("/auth/guest", null, new JsonObject().put("displayName", "\u05e9\u05dc\u05d5\u05dd")).status()).isEqualTo(201);
    }

    @Test
    @DisplayName("a handle that only differs by I/l/1, O/0 or rn/m from an existing one is 409 handle_taken")
    void lookAlikeHandles() {
        String base = "alice_" + (System.nanoTime() % 100_000);
        assertThat(api.post("/auth/signup", null, new JsonObject().put("handle", base).put("password", "long enough")).status())
                .isEqualTo(201);
        for (String look : new String[]{base.replace("l", "I"), base.replace("l", "1"), "A" + base.substring(1).replace("l", "I")}) {
            Resp r = api.post("/auth/signup", null, new JsonObject().put("handle", look).put("password", "long enough"));
            assertProblem(r, 409, "handle_taken");
            assertThat(r.json().getString("detail")).contains("too similar");
        }
        String morn = "morning_" + (System.nanoTime() % 100_000);
        assertThat(api.post("/auth/signup", null, new JsonObject().put("handle", morn).put("password", "long enough")).status())
                .isEqualTo(201);
        assertProblem(api.post("/auth/signup", null, new JsonObject().put("handle", morn.replace("rn", "m").replace("o", "0"))
                .put("password", "long enough")), 409, "handle_taken");
        // lower-case i is told apart from l (it has its dot), and guests never collide with one another
        assertThat(api.post("/auth/signup", null, new JsonObject().put("handle", base.replace("l", "i")).put("password", "long enough"))
                .status()).isEqualTo(201);
        for (int i = 0; i < 5; i++) {
            api.guest("Guest");
        }
        assertProblem(api.post("/auth/signup", null, new JsonObject().put("handle", "GUEST").put("password", "long enough")),
                400, "validation_failed");
    }

    @Test
    @DisplayName("a display name that is another user's handle (or looks like it) is refused; one's own is fine")
    void displayNameImpersonation() {
        String mine = Api.uniqueHandle("dn");
        for (String name : new String[]{other.handle(), other.handle().toUpperCase(), "@" + other.handle(),
                other.handle().replace("o", "0")}) {
            Resp r = api.post("/auth/signup", null, new JsonObject().put("handle", mine).put("password", "long enough")
                    .put("displayName", name));
            assertProblem(r, 400, "validation_failed");
            assertProblem(api.post("/auth/guest", null, new JsonObject().put("displayName", name)), 400, "validation_failed");
        }
        assertThat(api.post("/auth/signin", null, new JsonObject().put("handle", mine).put("password", "long enough")).status())
                .isEqualTo(401);
        Resp own = api.post("/auth/signup", null, new JsonObject().put("handle", mine).put("password", "long enough")
                .put("displayName", mine.toUpperCase()));
        assertThat(own.status()).as(own.body()).isEqualTo(201);
        assertThat(own.json().getJsonObject("user").getString("displayName")).isEqualTo(mine.toUpperCase());
    }

    // 6. phone numbers

    @Test
    @DisplayName("signing up with a registered phone number answers like any sign-up and does not attach it")
    void phoneNumberIsNoOracle() {
        String phone = "+1415666" + String.format("%04d", (int) (System.nanoTime() % 10_000));
        String first = Api.uniqueHandle("phone");
        Resp owns = api.post("/auth/signup", null, new JsonObject().put("handle", first).put("password", "long enough").put("phoneNumber", phone));
        assertThat(owns.status()).isEqualTo(201);
        String second = Api.uniqueHandle("phone");
        Resp probe = api.post("/auth/signup", null, new JsonObject().put("handle", second).put("password", "long enough").put("phoneNumber", phone));
        assertThat(probe.status()).as(probe.body()).isEqualTo(201);
        assertThat(probe.json().fieldNames()).isEqualTo(owns.json().fieldNames());
        assertThat(probe.json().getJsonObject("user").fieldNames()).isEqualTo(owns.json().getJsonObject("user").fieldNames());
        assertThat(probe.body()).doesNotContain(phone);
        // the number stays the first owner's: /me of the second has none, sign-in by number is the owner's
        assertThat(api.get("/me", Api.user(probe.json()).token()).json().getString("phoneNumber")).isNull();
        assertThat(api.get("/me", Api.user(owns.json()).token()).json().getString("phoneNumber")).isEqualTo(phone);
        Resp signin = api.post("/auth/signin", null, new JsonObject().put("phoneNumber", phone).put("password", "long enough"));
        assertThat(signin.status()).isEqualTo(200);
        assertThat(signin.json().getJsonObject("user").getString("handle")).isEqualTo(first);
    }

    // 7. presence and direct channels

    @Test
    @DisplayName("presence answers only for users who share a channel with the caller; others are left out")
    void presenceOnlyForSharedChannels() {
        Api.User a = api.signup("pa");
        Api.User b = api.signup("pb");
        Api.User stranger = api.signup("ps");
        api.createChannel(a, "private", "shared", b.id());
        Resp r = api.get("/presence?userIds=" + b.id() + "," + stranger.id() + "," + a.id() + ",99999999", a.token());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getJsonArray("presence").stream().map(o -> ((JsonObject) o).getLong("userId")))
                .containsExactly(b.id(), a.id());
        assertThat(api.get("/presence?userIds=" + a.id(), stranger.token()).json().getJsonArray("presence")).isEmpty();
    }

    @Test
    @DisplayName("one who left a direct channel is not pulled back when the other opens it again")
    void directLeaveSticks() {
        Api.User a = api.signup("da");
        Api.User b = api.signup("db");
        long dm = api.post("/direct/" + b.id(), a.token(), null).json().getLong("id");
        assertThat(api.send("DELETE", "/channels/" + dm + "/members/" + b.id(), b.token(), null).status()).isEqualTo(204);
        Resp again = api.post("/direct/" + b.id(), a.token(), null);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().getLong("id")).isEqualTo(dm);
        assertThat(again.json().getJsonObject("peer").getLong("id")).isEqualTo(b.id());
        assertThat(api.get("/channels/" + dm, b.token()).status()).isEqualTo(404);
        assertThat(channelCount(b)).isZero();
        // a's list still shows b as the peer: leaving is not announced
        JsonObject row = api.get("/channels", a.token()).json().getJsonArray("channels").stream().map(JsonObject.class::cast)
                .filter(c -> c.getLong("id") == dm).findFirst().orElseThrow();
        assertThat(row.getJsonObject("peer").getLong("id")).isEqualTo(b.id());
        // b comes back by opening it themself
        assertThat(api.post("/direct/" + a.id(), b.token(), null).json().getLong("id")).isEqualTo(dm);
        assertThat(api.get("/channels/" + dm + "/messages", b.token()).status()).isEqualTo(200);
    }
}
