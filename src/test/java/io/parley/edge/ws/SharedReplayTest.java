package io.parley.edge.ws;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The catch-up read of a channel is shared by every edge of a node, and each edge gets it on its own event loop. */
@DisplayName("One catch-up read per node, shared across edge instances")
@ExtendWith(VertxExtension.class)
class SharedReplayTest {

    @Test
    @Timeout(value = 5, timeUnit = TimeUnit.SECONDS)
    @DisplayName("two edges on two event loops asking for the same page at once cause one read, and each hears the answer on its own loop")
    void oneReadPerNode(Vertx vertx, VertxTestContext test) {
        Context loopA = vertx.getOrCreateContext();
        Context loopB = vertx.getOrCreateContext();
        AtomicInteger reads = new AtomicInteger();
        Promise<java.util.List<EdgeHub.Replayed>> page = Promise.promise();
        Checkpoint heardOnItsLoop = test.checkpoint(2);
        Checkpoint readAgain = test.checkpoint();
        Future<EdgeHub> hubA = onLoop(loopA, () -> new EdgeHub(vertx));
        Future<EdgeHub> hubB = onLoop(loopB, () -> new EdgeHub(vertx));
        Future.all(hubA, hubB)
                // A asks first and its read is still running when B asks for the same page
                .compose(v -> onLoop(loopA, () -> answeredOn(Thread.currentThread(),
                        hubA.result().sharedReplay(7, 1, 100, () -> {
                            reads.incrementAndGet();
                            return page.future();
                        }), test, heardOnItsLoop)))
                .compose(heardOnA -> onLoop(loopB, () -> answeredOn(Thread.currentThread(),
                        hubB.result().sharedReplay(7, 1, 100, () -> {
                            reads.incrementAndGet();
                            return Future.succeededFuture(java.util.List.<EdgeHub.Replayed>of());
                        }), test, heardOnItsLoop)).compose(heardOnB -> {
                            // the read answers on the loop that asked for it, as an event-bus reply does
                            loopA.runOnContext(x -> page.complete(java.util.List.of()));
                            return Future.all(heardOnA, heardOnB);
                        }))
                .compose(v -> {
                    test.verify(() -> assertThat(reads).as("reads for one page asked by two edges").hasValue(1));
                    // once answered, the read is forgotten: the next gap reads again
                    return onLoop(loopB, () -> hubB.result().sharedReplay(7, 1, 100, () -> {
                        reads.incrementAndGet();
                        return Future.succeededFuture(java.util.List.<EdgeHub.Replayed>of());
                    }));
                })
                .onComplete(test.succeeding(v -> test.verify(() -> {
                    assertThat(reads).as("reads after the first answer").hasValue(2);
                    readAgain.flag();
                })));
    }

    /** {@code replay}, checked to answer on {@code asker}'s thread. */
    private static Future<Void> answeredOn(Thread asker, Future<java.util.List<EdgeHub.Replayed>> replay, VertxTestContext test, Checkpoint heard) {
        return replay.map(page -> {
            test.verify(() -> assertThat(Thread.currentThread()).as("the thread the answer is heard on").isSameAs(asker));
            heard.flag();
            return null;
        });
    }

    /** Runs {@code task} on {@code ctx}'s event loop; answers its result there. */
    private static <T> Future<T> onLoop(Context ctx, Supplier<T> task) {
        Promise<T> out = Promise.promise();
        ctx.runOnContext(v -> out.complete(task.get()));
        return out.future();
    }
}
