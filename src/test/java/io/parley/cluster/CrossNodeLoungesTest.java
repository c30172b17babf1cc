package io.parley.cluster;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.parley.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Lounges, bans and mentions across two clustered nodes in this JVM. */
@DisplayName("Lounges, bans and mentions across nodes (two Hazelcast nodes in one JVM)")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossNodeLoungesTest {

    private List<TestNode> nodes;

    @BeforeAll
    void start() {
        nodes = TestNode.startCluster(CrossNodeLoungesTest.class, 2, json -> { });
    }

    @AfterAll
    void stop() {
        TestNode.closeAll(nodes);
    }

    private static boolean listed(TestNode n, Api.User u, String slug) {
        return n.api.get("/lounges", u.token()).json().getJsonArray("lounges").stream()
                .anyMatch(o -> slug.equals(((JsonObject) o).getString("slug")));
    }

    @Test
    @DisplayName("a lounge created on one node is listed on the other at once; a ban, a mention and an invitation made on one reach sockets on the other")
    void acrossNodes() throws InterruptedException {
        TestNode a = nodes.get(0);
        TestNode b = nodes.get(1);
        Api.User admin = a.admin("xboss");
        Api.User reader = b.api.signup("xreader");

        // node b caches the list, node a changes it: b drops its copy on the cluster event
        assertThat(listed(b, reader, "crossing")).isFalse();
        assertThat(a.api.post("/lounges", admin.token(), new JsonObject().put("slug", "crossing").put("name", "Crossing")).status())
                .isEqualTo(201);
        long deadline = System.currentTimeMillis() + 5_000;
        while (!listed(b, reader, "crossing") && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(listed(b, reader, "crossing")).as("listed on the other node").isTrue();

        // a mention and a ban made through node a reach the user's socket on node b
        Api.User owner = a.api.signup("xowner");
        long ch = a.api.createChannel(owner, "public", "crossing talk");
        b.api.post("/channels/" + ch + "/members", reader.token(), null);
        try (WsClient onB = WsClient.connect(b.vertx, b.port, reader.token())) {
            assertThat(onB.request(WsClient.subscribe(ch)).getString("type")).isEqualTo("ack");
            a.api.sendMessage(owner, ch, "welcome @" + reader.handle());
            assertThat(onB.next("mention").getLong("channelId")).isEqualTo(ch);
            assertThat(a.api.send("PATCH", "/channels/" + ch + "/members/" + reader.id(), owner.token(),
                    new JsonObject().put("banned", true)).status()).isEqualTo(200);
            assertThat(onB.next("removed").getLong("channelId")).isEqualTo(ch);

            // being added by someone else reaches the user's socket on the other node: an invitation, a new
            // channel with the user in it, a new direct chat (opening it again announces nothing)
            long priv = a.api.createChannel(owner, "private", "crossing private");
            assertThat(a.api.post("/channels/" + priv + "/members", owner.token(), new JsonObject().put("userId", reader.id())).status())
                    .isEqualTo(200);
            assertThat(onB.next("added").getLong("channelId")).isEqualTo(priv);
            long withReader = a.api.createChannel(owner, "private", "crossing two", reader.id());
            assertThat(onB.next("added").getLong("channelId")).isEqualTo(withReader);
            long direct = a.api.post("/direct/" + reader.id(), owner.token(), null).json().getLong("id");
            assertThat(onB.next("added").getLong("channelId")).isEqualTo(direct);
            a.api.post("/direct/" + reader.id(), owner.token(), null);
            onB.assertNothingArrives("added", 500, "a direct chat opened again");
        }
    }
}
