package io.parley.auth;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the shared record of ended sessions cannot be read (Redis down), a node trusts its own view only
 * for auth.revocationTrustSeconds, then asks the database about each session.
 */
@DisplayName("Revocations: the trust bound, and the database check while Redis is down")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RevocationFallbackTest {

    private TestNode node;

    @BeforeAll
    void start() {
        // nothing listens on port 1: every Redis call fails at once
        node = TestNode.start(RevocationFallbackTest.class, json -> {
            json.getJsonObject("redis").put("url", "redis://127.0.0.1:1");
            json.getJsonObject("auth").put("revocationTrustSeconds", 1);
        });
    }

    @AfterAll
    void stop() {
        node.close();
    }

    @Test
    @DisplayName("Redis down: a session ended in the database alone is refused within about a second, a live one is served")
    void databaseDecides() throws InterruptedException {
        Api.User erin = node.api.signup("erin");
        Api.User frank = node.api.signup("frank");
        assertThat(node.api.get("/me", erin.token()).status()).isEqualTo(200);
        // end erin's session behind the node's back: no event, no shared record, only the database knows
        node.pool().preparedQuery("UPDATE sessions SET revoked_at = now() WHERE user_id = $1").execute(Tuple.of(erin.id())).await();
        // The database's "live" answer is remembered for a second: waiting that second out is what is tested
        // (a poll with erin's token would be answered from that memory and prove nothing about its bound).
        Thread.sleep(1_200);
        Api.Resp refused = node.api.get("/me", erin.token());
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.code()).isEqualTo("session_revoked");
        assertThat(node.api.get("/me", frank.token()).status()).isEqualTo(200);
        // a sign-out still takes effect at once on this node
        assertThat(node.api.post("/auth/signout", frank.token(), new JsonObject()).status()).isEqualTo(204);
        assertThat(node.api.get("/me", frank.token()).code()).isEqualTo("session_revoked");
    }

    @Test
    @DisplayName("the view is trusted for the bound after each read of the record, and names each family new to it once")
    void trustAndRetention() {
        AtomicLong now = new AtomicLong(1_000_000);
        Revocations r = new Revocations(60_000, 10_000, now::get);
        String family = UUID.randomUUID().toString();
        io.parley.domain.Principal p = new io.parley.domain.Principal(7, io.parley.domain.UserKind.MEMBER, io.parley.domain.UserRole.USER, family);
        assertThat(r.trusted()).isTrue();
        assertThat(r.add(List.of(family), now.get())).containsExactly(family);
        assertThat(r.add(List.of(family), now.get())).isEmpty(); // known already: its sockets are not closed twice
        assertThat(r.revoked(p)).isTrue();
        now.addAndGet(10_001);
        assertThat(r.trusted()).isFalse();
        r.synced();
        assertThat(r.trusted()).isTrue();
        r.distrust();
        assertThat(r.trusted()).isFalse();
        assertThat(r.revoked(new io.parley.domain.Principal(7, io.parley.domain.UserKind.MEMBER, io.parley.domain.UserRole.USER, UUID.randomUUID().toString()))).isFalse();
    }
}
