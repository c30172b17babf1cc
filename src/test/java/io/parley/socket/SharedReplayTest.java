package io.parley.socket;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The catch-up read of a channel is shared by every edge of a node, and each edge gets it on its own event loop. */
@DisplayName("One catch-up read per node, shared across edge instances")
class SharedReplayTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    @DisplayName("two edges on two event loops asking for the same page at once cause one read, and each hears the answer on its own loop")
    void oneReadPerNode() throws Exception {
        Context loopA = vertx.getOrCreateContext();
        Context loopB = vertx.getOrCreateContext();
        EdgeHub a = onLoop(loopA, () -> new EdgeHub(vertx));
        EdgeHub b = onLoop(loopB, () -> new EdgeHub(vertx));
        AtomicInteger reads = new AtomicInteger();
        Promise<JsonObject> page = Promise.promise();
        CompletableFuture<Thread> heardOnA = new CompletableFuture<>();
        CompletableFuture<Thread> heardOnB = new CompletableFuture<>();
        Thread[] threads = new Thread[2];
        onLoop(loopA, () -> {
            threads[0] = Thread.currentThread();
            return a.sharedReplay(7, 1, 100, () -> {
                reads.incrementAndGet();
                return page.future();
            }).onSuccess(p -> heardOnA.complete(Thread.currentThread()));
        });
        onLoop(loopB, () -> {
            threads[1] = Thread.currentThread();
            return b.sharedReplay(7, 1, 100, () -> {
                reads.incrementAndGet();
                return Future.succeededFuture(new JsonObject());
            }).onSuccess(p -> heardOnB.complete(Thread.currentThread()));
        });
        // the read answers on the loop that asked for it, as an event-bus reply does
        loopA.runOnContext(v -> page.complete(new JsonObject().put("messages", new io.vertx.core.json.JsonArray())));
        assertThat(heardOnA.get(5, TimeUnit.SECONDS)).isSameAs(threads[0]);
        assertThat(heardOnB.get(5, TimeUnit.SECONDS)).isSameAs(threads[1]);
        assertThat(reads).hasValue(1);
        // once answered, the read is forgotten: the next gap reads again
        onLoop(loopB, () -> b.sharedReplay(7, 1, 100, () -> {
            reads.incrementAndGet();
            return Future.succeededFuture(new JsonObject());
        }));
        assertThat(reads).hasValue(2);
    }

    private static <T> T onLoop(Context ctx, java.util.function.Supplier<T> task) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        ctx.runOnContext(v -> out.complete(task.get()));
        return out.get(5, TimeUnit.SECONDS);
    }
}
