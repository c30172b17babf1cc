package io.parley.cluster;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;

import static io.parley.support.WsClient.ping;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ended sessions end everywhere: on a two-node cluster, what happens on node A closes the affected
 * sockets on node B within 2 s and makes node B refuse the affected access tokens.
 */
@DisplayName("Revocation reaches every node: sign-out, password change, refresh reuse, guest expiry")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RevocationTest {

    private static final long WITHIN_MILLIS = 2_000;

    private List<TestNode> nodes;
    private TestNode a;
    private TestNode b;

    @BeforeAll
    void start() {
        nodes = TestNode.startCluster(RevocationTest.class, 2, json -> json.getJsonObject("auth").put("guestTtlSeconds", 6).put("refreshReuseGraceSeconds", 0));
        a = nodes.get(0);
        b = nodes.get(1);
    }

    @AfterAll
    void stop() {
        TestNode.closeAll(nodes);
    }

    @Test
    @DisplayName("sign-out on node A: the session's socket on node B closes with 4001 and B refuses its token; another session lives on")
    void signOut() {
        Api.User alice = a.api.signup("alice");
        Api.User otherSession = signin(b, alice);
        try (WsClient onB = subscribed(b, alice.token()); WsClient otherOnB = subscribed(b, otherSession.token())) {
            assertThat(b.api.get("/me", alice.token()).status()).isEqualTo(200);
            long signedOut = System.currentTimeMillis();
            assertThat(a.api.post("/auth/signout", alice.token(), new JsonObject()).status()).isEqualTo(204);
            assertThat(onB.awaitClose(WITHIN_MILLIS)).isEqualTo((short) 4001);
            long took = System.currentTimeMillis() - signedOut;
            System.out.println("sign-out on node A closed the session's socket on node B " + took + " ms after the request was sent");
            assertThat(took).isLessThan(WITHIN_MILLIS);
            Api.Resp refused = b.api.get("/me", alice.token());
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.code()).isEqualTo("session_revoked");
            assertThat(a.api.get("/me", alice.token()).code()).isEqualTo("session_revoked");
            // the old token cannot open a new socket either
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WsClient.connect(b.vertx, b.port, alice.token()))
                    .hasMessageContaining("401");
            // the user's other session is untouched
            assertThat(otherOnB.request(ping()).getString("type")).isEqualTo("pong");
            assertThat(b.api.get("/me", otherSession.token()).status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("password change on node A ends the other sessions on node B, and keeps the one that changed it")
    void passwordChange() {
        Api.User bob = a.api.signup("bob");
        Api.User laptop = signin(b, bob);
        try (WsClient laptopOnB = subscribed(b, laptop.token()); WsClient phoneOnB = subscribed(b, bob.token())) {
            Api.Resp changed = a.api.send("PUT", "/me/password", bob.token(), new JsonObject()
                    .put("currentPassword", "password-" + bob.handle()).put("newPassword", "a-new-password-1"));
            assertThat(changed.status()).isEqualTo(204);
            assertThat(laptopOnB.awaitClose(WITHIN_MILLIS)).isEqualTo((short) 4001);
            assertThat(b.api.get("/me", laptop.token()).code()).isEqualTo("session_revoked");
            assertThat(b.api.post("/auth/refresh", null, new JsonObject().put("refreshToken", laptop.refreshToken())).status()).isEqualTo(401);
            // the session that changed the password keeps working, on both nodes
            assertThat(phoneOnB.request(ping()).getString("type")).isEqualTo("pong");
            assertThat(b.api.get("/me", bob.token()).status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("a reused refresh token on node A ends its session: the socket on node B closes and B refuses the access token")
    void refreshReuse() throws InterruptedException {
        Api.User carol = a.api.signup("carol");
        JsonObject rotated = a.api.post("/auth/refresh", null, new JsonObject().put("refreshToken", carol.refreshToken())).json();
        String fresh = rotated.getString("accessToken");
        try (WsClient onB = subscribed(b, fresh)) {
            // past the grace for concurrent refreshes (10 s by default) a reuse is a theft; this cluster has no grace
            Api.Resp reused = a.api.post("/auth/refresh", null, new JsonObject().put("refreshToken", carol.refreshToken()));
            assertThat(reused.code()).isEqualTo("refresh_token_reused");
            assertThat(onB.awaitClose(WITHIN_MILLIS)).isEqualTo((short) 4001);
            assertThat(b.api.get("/me", fresh).code()).isEqualTo("session_revoked");
            assertThat(b.api.get("/me", carol.token()).code()).isEqualTo("session_revoked");
        }
    }

    @Test
    @DisplayName("a guest's socket on node B closes with 4002 when the guest ends, and its token is refused from then on")
    void guestExpiry() {
        Api.User guest = a.api.guest("Visitor");
        try (WsClient onB = subscribed(b, guest.token())) {
            assertThat(b.api.get("/me", guest.token()).status()).isEqualTo(200);
            // the guest lives auth.guestTtlSeconds = 6 s in this test
            Short code = onB.awaitClose(6_000 + WITHIN_MILLIS);
            assertThat(code).isEqualTo((short) 4002);
            Api.Resp refused = b.api.get("/me", guest.token());
            assertThat(refused.status()).as(refused.body() + " at " + System.currentTimeMillis() + " token " + guest.token()).isEqualTo(401);
            assertThat(refused.code()).isEqualTo("guest_expired");
            assertThat(a.api.post("/auth/refresh", null, new JsonObject().put("refreshToken", guest.refreshToken())).status()).isEqualTo(401);
        }
    }

    @Test
    @DisplayName("a node that missed the event learns the ended session from the shared record")
    void missedEvent() {
        Api.User dave = a.api.signup("dave");
        try (WsClient onB = subscribed(b, dave.token())) {
            // no event: only the shared record (Redis) has it, as when B was cut off while the event went out
            JsonArray families = new JsonArray().add(familyOf(dave.token()));
            io.parley.redis.NodeRedis redis = io.parley.redis.NodeRedis.create(a.vertx, a.config);
            try {
                new io.parley.cache.RedisCache(redis).recordAdd("revocations", List.of("f:" + families.getString(0)), 960_000).await();
            } finally {
                redis.close().await();
            }
            assertThat(onB.awaitClose(WITHIN_MILLIS)).isEqualTo((short) 4001);
            assertThat(b.api.get("/me", dave.token()).code()).isEqualTo("session_revoked");
        }
    }

    private static String familyOf(String accessToken) {
        String claims = new String(java.util.Base64.getUrlDecoder().decode(accessToken.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8);
        return new JsonObject(claims).getString("fid");
    }

    private static Api.User signin(TestNode node, Api.User user) {
        Api.Resp r = node.api.post("/auth/signin", null, new JsonObject().put("handle", user.handle()).put("password", "password-" + user.handle()));
        assertThat(r.status()).isEqualTo(200);
        return Api.user(r.json());
    }

    private static WsClient subscribed(TestNode node, String token) {
        WsClient ws = WsClient.connect(node.vertx, node.port, token);
        assertThat(ws.request(ping()).getString("type")).isEqualTo("pong");
        return ws;
    }
}
