package io.parley.chat;

import io.parley.support.Api;
import io.parley.support.TestNode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Searches run on connections of their own (search.poolSize 2, search.queue 2), each statement for at
 * most search.timeoutMs (3000). Searches are held up by a lock on the messages table that the test
 * takes, so they wait in PostgreSQL as slow ones would; requests that do not read messages must not
 * wait behind them.
 */
@DisplayName("Search isolation: its own small pool, a bounded queue, a statement timeout")
class SearchIsolationTest {

    static TestNode node;
    static Api api;
    static Pool locks;
    static ExecutorService clients = Executors.newFixedThreadPool(8);

    @BeforeAll
    static void start() {
        node = TestNode.start(SearchIsolationTest.class, json -> json.getJsonObject("search")
                .put("poolSize", 2).put("queue", 2).put("timeoutMs", 3000));
        api = node.api;
        locks = node.pool();
    }

    @AfterAll
    static void stop() {
        clients.shutdownNow();
        locks.close().await();
        node.close();
    }

    /** Takes an exclusive lock on messages in a transaction of the test's own, until {@link Lock#release}. */
    private record Lock(SqlConnection conn, Transaction tx) {

        static Lock take() {
            SqlConnection c = locks.getConnection().await();
            Transaction tx = c.begin().await();
            c.query("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE").execute().await();
            return new Lock(c, tx);
        }

        void release() {
            tx.rollback().eventually(conn::close).await();
        }
    }

    @Test
    @DisplayName("8 searches at once: 2 run, 2 wait, 4 are refused at once with 503; meanwhile another request gets a connection at once")
    void searchesCannotTakeThePool() throws Exception {
        Api.User u = api.signup("searcher");
        Lock lock = Lock.take();
        List<CompletableFuture<Api.Resp>> searches = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                String q = "/search?q=held" + i;
                searches.add(CompletableFuture.supplyAsync(() -> api.get(q, u.token()), clients));
            }
            Thread.sleep(500); // the searches have reached PostgreSQL, or the queue, or were refused
            long t0 = System.nanoTime();
            Api.Resp me = api.get("/me", u.token());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(me.status()).isEqualTo(200);
            assertThat(ms).as("GET /me while searches wait in PostgreSQL (ms)").isLessThan(400);
        } finally {
            lock.release();
        }
        List<Api.Resp> answers = searches.stream().map(f -> f.orTimeout(20, TimeUnit.SECONDS).join()).toList();
        assertThat(answers.stream().filter(r -> r.status() == 200)).as("ran, or waited and ran").hasSize(4);
        List<Api.Resp> refused = answers.stream().filter(r -> r.status() != 200).toList();
        assertThat(refused).hasSize(4).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.code()).isEqualTo("overloaded");
            assertThat(r.retryAfter()).isNotNull();
        });
    }

    @Test
    @DisplayName("a search still waiting in PostgreSQL after search.timeoutMs is stopped: 503 overloaded, and its connection serves the next search")
    void statementTimeout() {
        Api.User u = api.signup("patient");
        Lock lock = Lock.take();
        Api.Resp stopped;
        long ms;
        try {
            long t0 = System.nanoTime();
            stopped = api.get("/search?q=stuck", u.token());
            ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        } finally {
            lock.release();
        }
        assertThat(stopped.status()).as(stopped.body()).isEqualTo(503);
        assertThat(stopped.code()).isEqualTo("overloaded");
        assertThat(stopped.json().getString("detail")).contains("3000 ms");
        assertThat(ms).as("answered after the statement timeout, not the services' 10 s").isBetween(2500L, 6000L);
        for (int i = 0; i < 3; i++) {
            assertThat(api.get("/search?q=free" + i, u.token()).status()).isEqualTo(200);
        }
    }
}
