package io.parley;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Main boots a clustered node from cluster.xml (Hazelcast on 127.0.0.1, multicast off), as `java -jar` does. */
@DisplayName("Boot: a clustered node with cluster.xml reports db, redis and cluster in /health")
class ClusterBootTest {

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(ClusterBootTest.class, json -> json.getJsonObject("cluster").put("enabled", true)
                .put("port", 5800 + (int) (ProcessHandle.current().pid() % 100)).put("members", "127.0.0.1:59999"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    @DisplayName("/health is up with db up, redis up and a cluster of one")
    void health() {
        Api.Resp r = node.api.getRoot("/health");
        assertThat(r.status()).isEqualTo(200);
        JsonObject h = r.json();
        assertThat(h.getString("status")).isEqualTo("up");
        assertThat(h.getString("db")).isEqualTo("up");
        assertThat(h.getString("redis")).isEqualTo("up");
        assertThat(h.getJsonObject("cluster").getBoolean("enabled")).isTrue();
        assertThat(h.getJsonObject("cluster").getInteger("members")).isEqualTo(1);
        assertThat(node.vertx.isClustered()).isTrue();
    }

    @Test
    @DisplayName("migrations are recorded once, and the web client is served at /")
    void migrationsAndWebClient() {
        var pool = node.pool();
        try {
            long applied = pool.query("SELECT count(*) AS n FROM schema_migrations").execute().await().iterator().next().getLong("n");
            assertThat(applied).isEqualTo(io.parley.persistence.Migrations.load().size());
        } finally {
            pool.close().await();
        }
        Api.Resp root = node.api.getRoot("/");
        assertThat(root.status()).isEqualTo(200);
        assertThat(root.contentType()).startsWith("text/html");
    }
}
