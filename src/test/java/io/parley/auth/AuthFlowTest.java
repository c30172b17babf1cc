package io.parley.auth;

import io.parley.support.Api;
import io.parley.support.Api.Resp;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Auth over HTTP against real Postgres and Redis")
class AuthFlowTest {

    static TestNode node;
    static Api api;

    @BeforeAll
    static void start() {
        node = TestNode.start(AuthFlowTest.class, json -> json.getJsonObject("auth").put("refreshReuseGraceSeconds", 2));
        api = node.api;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static JsonObject creds(String handle, String password) {
        return new JsonObject().put("handle", handle).put("password", password);
    }

    @Test
    @DisplayName("signup returns 201 with the user and tokens; the access token opens /me")
    void signupAndMe() {
        String handle = Api.uniqueHandle("ann");
        Resp r = api.post("/auth/signup", null, creds(handle, "long enough pw").put("displayName", "Ann"));
        assertThat(r.status()).isEqualTo(201);
        JsonObject body = r.json();
        assertThat(body.getJsonObject("user").getString("handle")).isEqualTo(handle);
        assertThat(body.getJsonObject("user").getString("kind")).isEqualTo("member");
        assertThat(body.getString("refreshToken")).isNotBlank();
        Resp me = api.get("/me", body.getString("accessToken"));
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().getString("displayName")).isEqualTo("Ann");
    }

    @Test
    @DisplayName("a taken handle (in any case) is a 409 handle_taken")
    void duplicateHandle() {
        String handle = Api.uniqueHandle("dup");
        assertThat(api.post("/auth/signup", null, creds(handle, "long enough pw")).status()).isEqualTo(201);
        Resp again = api.post("/auth/signup", null, creds(handle.toUpperCase(), "long enough pw"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("handle_taken");
        assertThat(again.contentType()).startsWith("application/problem+json");
    }

    @Test
    @DisplayName("signin by handle and by phone number; a wrong password is 401 invalid_credentials")
    void signin() {
        String handle = Api.uniqueHandle("sig");
        String phone = "+1415555" + String.format("%04d", (int) (System.nanoTime() % 10_000));
        assertThat(api.post("/auth/signup", null, creds(handle, "long enough pw").put("phoneNumber", phone)).status()).isEqualTo(201);
        assertThat(api.post("/auth/signin", null, creds(handle, "long enough pw")).status()).isEqualTo(200);
        Resp byPhone = api.post("/auth/signin", null, new JsonObject().put("phoneNumber", phone).put("password", "long enough pw"));
        assertThat(byPhone.status()).isEqualTo(200);
        assertThat(byPhone.json().getJsonObject("user").getString("handle")).isEqualTo(handle);
        Resp wrong = api.post("/auth/signin", null, creds(handle, "wrong password"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.code()).isEqualTo("invalid_credentials");
        Resp unknown = api.post("/auth/signin", null, creds(Api.uniqueHandle("nobody"), "whatever pw"));
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.json().getString("detail")).isEqualTo(wrong.json().getString("detail"));
    }

    @Test
    @DisplayName("passwords longer than bcrypt reads are wrong passwords (401, counted), never a server error")
    void longPasswords() {
        Api.User u = api.signup("longpw");
        String tooLong = "é".repeat(60); // 120 bytes
        Resp signin = api.post("/auth/signin", null, creds(u.handle(), tooLong));
        assertThat(signin.status()).isEqualTo(401);
        assertThat(signin.code()).isEqualTo("invalid_credentials");
        Resp change = api.send("PUT", "/me/password", u.token(), new JsonObject().put("currentPassword", tooLong).put("newPassword", "new password 1"));
        assertThat(change.status()).isEqualTo(401);
        Resp signup = api.post("/auth/signup", null, creds(Api.uniqueHandle("long"), tooLong));
        assertThat(signup.status()).isEqualTo(400);
        assertThat(signup.code()).isEqualTo("validation_failed");
    }

    @Test
    @DisplayName("wrong current passwords are throttled like sign-ins, so a stolen access token cannot guess")
    void passwordChangeThrottled() {
        Api.User u = api.signup("guess");
        JsonObject wrong = new JsonObject().put("currentPassword", "not it at all").put("newPassword", "new password 1");
        for (int i = 0; i < node.config.auth().signinMaxFailures(); i++) {
            assertThat(api.send("PUT", "/me/password", u.token(), wrong).status()).isEqualTo(401);
        }
        Resp blocked = api.send("PUT", "/me/password", u.token(),
                new JsonObject().put("currentPassword", "password-" + u.handle()).put("newPassword", "new password 1"));
        assertThat(blocked.status()).isEqualTo(429);
    }

    @Test
    @DisplayName("a blank displayName falls back to the handle")
    void blankDisplayName() {
        String handle = Api.uniqueHandle("blank");
        Resp r = api.post("/auth/signup", null, creds(handle, "long enough pw").put("displayName", "   "));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().getJsonObject("user").getString("displayName")).isEqualTo(handle);
    }

    @Test
    @DisplayName("repeated failed signins for one handle are throttled with 429, even with the right password")
    void throttling() {
        String handle = Api.uniqueHandle("thr");
        assertThat(api.post("/auth/signup", null, creds(handle, "long enough pw")).status()).isEqualTo(201);
        int max = node.config.auth().signinMaxFailures();
        for (int i = 0; i < max; i++) {
            assertThat(api.post("/auth/signin", null, creds(handle, "wrong password")).status()).isEqualTo(401);
        }
        Resp blocked = api.post("/auth/signin", null, creds(handle, "long enough pw"));
        assertThat(blocked.status()).isEqualTo(429);
        assertThat(blocked.code()).isEqualTo("too_many_signin_failures");
    }

    @Test
    @DisplayName("refresh rotates: the new pair works, and reusing the old token later revokes the whole family")
    void refreshRotationAndReuse() throws Exception {
        Api.User u = api.signup("rot");
        Resp first = api.post("/auth/refresh", null, new JsonObject().put("refreshToken", u.refreshToken()));
        assertThat(first.status()).isEqualTo(200);
        String second = first.json().getString("refreshToken");
        assertThat(second).isNotEqualTo(u.refreshToken());
        assertThat(api.get("/me", first.json().getString("accessToken")).status()).isEqualTo(200);

        // Past the configured 2 s grace for concurrent refreshes, so the next call is a reuse. A fixed wait on
        // purpose: the grace is what is tested, and polling with the old token would itself be a refresh.
        Thread.sleep(2_500);
        Resp reuse = api.post("/auth/refresh", null, new JsonObject().put("refreshToken", u.refreshToken()));
        assertThat(reuse.status()).isEqualTo(401);
        assertThat(reuse.code()).isEqualTo("refresh_token_reused");
        Resp afterRevoke = api.post("/auth/refresh", null, new JsonObject().put("refreshToken", second));
        assertThat(afterRevoke.status()).isEqualTo(401);
    }

    @Test
    @DisplayName("concurrent refreshes with one token: exactly one wins, and its tokens stay valid")
    void concurrentRefresh() {
        Api.User u = api.signup("race");
        List<CompletableFuture<Resp>> calls = IntStream.range(0, 8).mapToObj(i -> CompletableFuture.supplyAsync(() ->
                api.post("/auth/refresh", null, new JsonObject().put("refreshToken", u.refreshToken())))).toList();
        List<Resp> results = calls.stream().map(CompletableFuture::join).toList();
        List<Resp> winners = results.stream().filter(r -> r.status() == 200).toList();
        assertThat(winners).hasSize(1);
        assertThat(results.stream().filter(r -> r.status() == 401).count()).isEqualTo(7);
        String next = winners.get(0).json().getString("refreshToken");
        assertThat(api.post("/auth/refresh", null, new JsonObject().put("refreshToken", next)).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("signout revokes the session: its refresh token no longer works")
    void signout() {
        Api.User u = api.signup("out");
        assertThat(api.post("/auth/signout", u.token(), null).status()).isEqualTo(204);
        Resp r = api.post("/auth/refresh", null, new JsonObject().put("refreshToken", u.refreshToken()));
        assertThat(r.status()).isEqualTo(401);
    }

    // ---- the web client's session cookie (docs/decisions.md, "The refresh token of the web client")

    private static String origin() {
        return "http://127.0.0.1:" + node.port;
    }

    /** The headers of a request of the web client in the cookie mode, with {@code cookie} (or none). */
    private static Map<String, String> cookieMode(String cookie) {
        Map<String, String> h = new java.util.LinkedHashMap<>();
        h.put("X-Parley-Refresh", "cookie");
        h.put("Origin", origin());
        if (cookie != null) {
            h.put("Cookie", "parley_refresh=" + cookie);
        }
        return h;
    }

    /** The one parley_refresh Set-Cookie of an answer, asserting its attributes; answers its value. */
    private static String refreshCookie(Resp r, int maxAgeAtMost) {
        List<String> set = r.header("Set-Cookie").stream().filter(c -> c.startsWith("parley_refresh=")).toList();
        assertThat(set).as("one parley_refresh cookie in %s", r.headers()).hasSize(1);
        String c = set.get(0);
        // the value first, then attributes, whose names are case-insensitive: compared in lower case
        List<String> parts = java.util.Arrays.stream(c.split(";")).map(String::strip).toList();
        List<String> attributes = parts.stream().skip(1).map(a -> {
            int eq = a.indexOf('=');
            return eq < 0 ? a.toLowerCase(java.util.Locale.ROOT) : a.substring(0, eq).toLowerCase(java.util.Locale.ROOT) + a.substring(eq);
        }).toList();
        assertThat(attributes).as(c).contains("path=/api/v1/auth/refresh", "httponly", "secure", "samesite=Strict");
        long maxAge = attributes.stream().filter(a -> a.startsWith("max-age=")).mapToLong(a -> Long.parseLong(a.substring(8)))
                .findFirst().orElseThrow();
        assertThat(maxAge).as(c).isBetween(maxAgeAtMost == 0 ? 0L : 1L, (long) maxAgeAtMost);
        return parts.get(0).substring("parley_refresh=".length());
    }

    @Test
    @DisplayName("cookie mode: sign-in puts the refresh token in an HttpOnly, Secure, SameSite=Strict cookie for the refresh path, never in the JSON; refresh rotates it; sign-out clears it")
    void refreshTokenInCookie() {
        Api.User u = api.signup("jar");
        int ttl = node.config.auth().refreshTokenTtlSeconds();
        Resp in = api.send("POST", "/auth/signin", null, creds(u.handle(), "password-" + u.handle()), cookieMode(null));
        assertThat(in.status()).isEqualTo(200);
        assertThat(in.json().containsKey("refreshToken")).as("the JSON a script reads has no refresh token").isFalse();
        String first = refreshCookie(in, ttl);
        assertThat(api.get("/me", in.json().getString("accessToken")).status()).isEqualTo(200);

        Resp rotated = api.send("POST", "/auth/refresh", null, null, cookieMode(first));
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.json().containsKey("refreshToken")).isFalse();
        String second = refreshCookie(rotated, ttl);
        assertThat(second).as("rotated").isNotEqualTo(first);
        String access = rotated.json().getString("accessToken");
        assertThat(api.get("/me", access).json().getString("handle")).isEqualTo(u.handle());

        Resp out = api.send("POST", "/auth/signout", access, null, cookieMode(second));
        assertThat(out.status()).isEqualTo(204);
        assertThat(refreshCookie(out, 0)).as("cleared").isEmpty();
        Resp after = api.send("POST", "/auth/refresh", null, null, cookieMode(second));
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.code()).isEqualTo("unauthorized");

        // guests too, with a cookie that ends with the guest; and API clients still get the token in the JSON
        Resp guest = api.send("POST", "/auth/guest", null, new JsonObject().put("displayName", "Jar guest"), cookieMode(null));
        assertThat(guest.status()).isEqualTo(201);
        assertThat(guest.json().containsKey("refreshToken")).isFalse();
        refreshCookie(guest, node.config.auth().guestTtlSeconds());
        Resp plain = api.post("/auth/signin", null, creds(u.handle(), "password-" + u.handle()));
        assertThat(plain.json().getString("refreshToken")).isNotBlank();
        assertThat(plain.header("Set-Cookie")).isEmpty();
        assertThat(api.post("/auth/refresh", null, new JsonObject().put("refreshToken", plain.json().getString("refreshToken")))
                .json().getString("refreshToken")).isNotBlank();
    }

    @Test
    @DisplayName("the session cookie is refused cross-site: without the X-Parley-Refresh header, or from another origin, 403 csrf_refused")
    void refreshCookieAgainstCsrf() {
        Api.User u = api.signup("csrf");
        Resp in = api.send("POST", "/auth/signin", null, creds(u.handle(), "password-" + u.handle()), cookieMode(null));
        String token = refreshCookie(in, node.config.auth().refreshTokenTtlSeconds());

        // what a form of another site can send: the cookie (if the browser sent it at all) and no header
        Resp form = api.send("POST", "/auth/refresh", null, null, Map.of("Cookie", "parley_refresh=" + token, "Origin", "https://evil.example"));
        assertThat(form.status()).isEqualTo(403);
        assertThat(form.code()).isEqualTo("csrf_refused");
        assertThat(form.contentType()).startsWith("application/problem+json");
        assertThat(form.header("Set-Cookie")).isEmpty();
        Resp noOrigin = api.send("POST", "/auth/refresh", null, null, Map.of("Cookie", "parley_refresh=" + token));
        assertThat(noOrigin.status()).as("never read without the header").isEqualTo(403);

        // the header from a page of another origin (or a sibling subdomain, which SameSite counts as the same site)
        Map<String, String> foreign = new java.util.HashMap<>(cookieMode(token));
        foreign.put("Origin", "http://127.0.0.1:" + (node.port == 65535 ? 1 : node.port + 1));
        Resp other = api.send("POST", "/auth/refresh", null, null, foreign);
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.code()).isEqualTo("csrf_refused");
        foreign.put("Origin", "null");
        assertThat(api.send("POST", "/auth/refresh", null, null, foreign).status()).isEqualTo(403);
        Resp signin = api.send("POST", "/auth/signin", null, creds(u.handle(), "password-" + u.handle()), foreign);
        assertThat(signin.status()).as("no session cookie is set for another origin").isEqualTo(403);
        assertThat(signin.header("Set-Cookie")).isEmpty();

        // none of that used the token: the right request still rotates it
        Resp right = api.send("POST", "/auth/refresh", null, null, cookieMode(token));
        assertThat(right.status()).isEqualTo(200);
        // the cookie mode with no cookie at all is a signed-out browser
        Resp none = api.send("POST", "/auth/refresh", null, null, cookieMode(null));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.code()).isEqualTo("unauthorized");
        Map<String, String> odd = new java.util.HashMap<>(cookieMode(null));
        odd.put("X-Parley-Refresh", "jar");
        assertThat(api.send("POST", "/auth/refresh", null, null, odd).code()).isEqualTo("validation_failed");
    }

    @Test
    @DisplayName("a refresh token kept in storage by an older web client moves into the cookie with its next refresh")
    void storedTokenMovesIntoTheCookie() {
        Api.User u = api.signup("move");
        Resp moved = api.send("POST", "/auth/refresh", null, new JsonObject().put("refreshToken", u.refreshToken()), cookieMode(null));
        assertThat(moved.status()).isEqualTo(200);
        assertThat(moved.json().containsKey("refreshToken")).isFalse();
        String cookie = refreshCookie(moved, node.config.auth().refreshTokenTtlSeconds());
        // from then on the cookie is the session, and wins over a stale token another tab may still send
        Resp next = api.send("POST", "/auth/refresh", null, new JsonObject().put("refreshToken", u.refreshToken()), cookieMode(cookie));
        assertThat(next.status()).isEqualTo(200);
        assertThat(refreshCookie(next, node.config.auth().refreshTokenTtlSeconds())).isNotEqualTo(cookie);
    }

    @Test
    @DisplayName("a password change needs the current password and revokes the other sessions, not this one")
    void passwordChange() {
        String handle = Api.uniqueHandle("pwd");
        Resp a = api.post("/auth/signup", null, creds(handle, "first password"));
        Resp b = api.post("/auth/signin", null, creds(handle, "first password"));
        String tokenA = a.json().getString("accessToken");
        Resp wrong = api.send("PUT", "/me/password", tokenA, new JsonObject().put("currentPassword", "nope nope").put("newPassword", "second password"));
        assertThat(wrong.status()).isEqualTo(401);
        Resp ok = api.send("PUT", "/me/password", tokenA, new JsonObject().put("currentPassword", "first password").put("newPassword", "second password"));
        assertThat(ok.status()).isEqualTo(204);
        assertThat(api.post("/auth/refresh", null, new JsonObject().put("refreshToken", b.json().getString("refreshToken"))).status()).isEqualTo(401);
        assertThat(api.post("/auth/refresh", null, new JsonObject().put("refreshToken", a.json().getString("refreshToken"))).status()).isEqualTo(200);
        assertThat(api.post("/auth/signin", null, creds(handle, "first password")).status()).isEqualTo(401);
        assertThat(api.post("/auth/signin", null, creds(handle, "second password")).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("guests get expiring tokens of kind guest and cannot create channels")
    void guest() {
        Resp g = api.post("/auth/guest", null, new JsonObject().put("displayName", "Visitor"));
        assertThat(g.status()).isEqualTo(201);
        assertThat(g.json().getJsonObject("user").getString("kind")).isEqualTo("guest");
        String token = g.json().getString("accessToken");
        assertThat(api.get("/me", token).json().getString("displayName")).isEqualTo("Visitor");
        Resp create = api.post("/channels", token, new JsonObject().put("kind", "public").put("name", "nope"));
        assertThat(create.status()).isEqualTo(403);
        Resp pw = api.send("PUT", "/me/password", token, new JsonObject().put("currentPassword", "x").put("newPassword", "yyyyyyyyyy"));
        assertThat(pw.status()).isEqualTo(403);
    }

    @Test
    @DisplayName("missing, malformed, tampered, expired and alg:none tokens are refused with 401")
    void badTokens() throws Exception {
        Api.User u = api.signup("tok");
        assertThat(api.get("/me", null).status()).isEqualTo(401);
        assertThat(api.get("/me", "garbage").status()).isEqualTo(401);
        String[] parts = u.token().split("\\.");
        String tamperedPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("\"sub\":\"" + u.id() + "\"", "\"sub\":\"1\"").getBytes());
        assertThat(api.get("/me", parts[0] + "." + tamperedPayload + "." + parts[2]).status()).isEqualTo(401);
        String noneHeader = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
        Resp none = api.get("/me", noneHeader + "." + parts[1] + ".");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        byte[] secret = node.vertx.sharedData().<String, io.vertx.core.buffer.Buffer>getLocalMap("parley.node").get("tokenSecret").getBytes();
        TokenService expired = new TokenService(secret, -10);
        String old = expired.issue(new io.parley.domain.User(u.id(), u.handle(), u.handle(), io.parley.domain.UserKind.MEMBER, io.parley.domain.UserRole.USER, null, null, 0), java.util.UUID.randomUUID());
        Resp exp = api.get("/me", old);
        assertThat(exp.status()).isEqualTo(401);
        assertThat(exp.code()).isEqualTo("token_expired");
        // correctly signed, but naming no session (so it could never be signed out), or an unknown kind: malformed
        long now = System.currentTimeMillis() / 1000;
        for (String claims : java.util.List.of(
                "{\"sub\":\"" + u.id() + "\",\"knd\":\"member\",\"rol\":\"user\",\"iat\":" + now + ",\"exp\":" + (now + 60) + "}",
                "{\"sub\":\"" + u.id() + "\",\"fid\":\"" + java.util.UUID.randomUUID() + "\",\"knd\":\"robot\",\"rol\":\"user\",\"iat\":"
                        + now + ",\"exp\":" + (now + 60) + "}")) {
            Resp refused = api.get("/me", signed(secret, parts[0], claims));
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.code()).isEqualTo("unauthorized");
        }
    }

    private static String signed(byte[] secret, String header, String claims) throws Exception {
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String body = header + "." + b64.encodeToString(claims.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
        return body + "." + b64.encodeToString(mac.doFinal(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
}
