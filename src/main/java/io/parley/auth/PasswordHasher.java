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
    /** The most bcrypt uses of a password. */
    public static final int MAX_BYTES = 72;
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
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        // bcrypt reads at most 72 bytes and the library refuses more; no stored password is longer, so a
        // longer one is simply wrong (verified against the dummy hash so it costs the same time).
        boolean possible = hash != null && bytes.length <= MAX_BYTES;
        byte[] candidate = possible ? bytes : "parley-dummy-password".getBytes(StandardCharsets.UTF_8);
        String against = possible ? hash : dummyHash;
        return workers.executeBlocking(() -> BCrypt.verifyer()
                .verify(candidate, against.getBytes(StandardCharsets.UTF_8)).verified && possible, false);
    }

    public Future<Void> close() {
        return workers.close();
    }
}
