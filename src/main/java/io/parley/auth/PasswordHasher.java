package io.parley.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * bcrypt on a named worker pool of its own, so a login storm queues there and never holds an event
 * loop or the shared worker pool.
 */
public final class PasswordHasher {

    /** Verified against when the user does not exist, so that a wrong handle takes as long as a wrong password. */
    private final String dummyHash;
    private final WorkerExecutor workers;
    private final int cost;

    public PasswordHasher(Vertx vertx, int cost, int threads) {
        this.cost = cost;
        this.workers = vertx.createSharedWorkerExecutor("parley-bcrypt", threads, 30, TimeUnit.SECONDS);
        this.dummyHash = BCrypt.withDefaults().hashToString(cost, "parley-dummy-password".toCharArray());
    }

    public Future<String> hash(String password) {
        return workers.executeBlocking(() -> BCrypt.withDefaults().hashToString(cost, password.toCharArray()), false);
    }

    /** Verifies against {@code hash}, or against a dummy hash when {@code hash} is null (and then answers false). */
    public Future<Boolean> verify(String password, String hash) {
        String against = hash == null ? dummyHash : hash;
        return workers.executeBlocking(() -> BCrypt.verifyer()
                .verify(password.getBytes(StandardCharsets.UTF_8), against.getBytes(StandardCharsets.UTF_8)).verified
                && hash != null, false);
    }

    public Future<Void> close() {
        return workers.close();
    }
}
