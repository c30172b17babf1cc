package io.parley.presence;

import io.parley.bus.Addresses;
import io.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import io.parley.bus.OpsApi;

/**
 * The background jobs. Every node ticks every job; a tick runs the job only if this node wins the claim
 * in Postgres (one run per interval, cluster-wide, under a lease a dead runner loses). Each run's start,
 * duration and result are recorded in the {@code jobs} table and its metrics.
 */
final class JobScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(JobScheduler.class);
    private static final int SWEEP_BATCH = 5_000;
    /** How often the retention job runs; each run deletes a bounded number of messages (NodeOps). */
    static final int RETENTION_SECONDS = 60;

    private final Vertx vertx;
    private final ParleyConfig.Presence cfg;
    private final PresenceStore store;
    private final Consumer<Map<Long, PresenceStore.Status>> announce;
    private final String node = UUID.randomUUID().toString();
    private final List<Long> timers = new ArrayList<>();
    private final JobMetrics metrics;

    private final OpsApi ops;

    JobScheduler(Vertx vertx, ParleyConfig.Presence cfg, PresenceStore store, OpsApi ops,
                 Consumer<Map<Long, PresenceStore.Status>> announce) {
        this.ops = ops;
        this.vertx = vertx;
        this.cfg = cfg;
        this.store = store;
        this.announce = announce;
        this.metrics = JobMetrics.forNode(vertx);
    }

    void start() {
        schedule("presence-sweep", cfg.sweepSeconds(), this::sweep);
        schedule("last-seen-flush", cfg.lastSeenFlushSeconds(), this::flushLastSeen);
        schedule("purge", cfg.purgeSeconds(), () -> ops.purge().map(p -> "sessions " + p.sessions() + ", guests " + p.guests()));
        schedule("retention", RETENTION_SECONDS, () -> ops.expire().map(e -> "messages " + e.messages() + " in " + e.channels().size()
                + " channels" + (e.more() ? ", more left for the next run" : "")));
    }

    void stop() {
        timers.forEach(vertx::cancelTimer);
    }

    private void schedule(String name, int seconds, Supplier<Future<String>> job) {
        timers.add(vertx.setPeriodic(seconds * 1000L, id -> ops.claimJob(name, seconds, Math.max(30, seconds * 2), node)
                .onSuccess(claimed -> {
                    if (claimed) {
                        run(name, job);
                    }
                })));
    }

    private void run(String name, Supplier<Future<String>> job) {
        long start = System.nanoTime();
        Future<String> result;
        try {
            result = job.get();
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        result.onComplete(ar -> {
            long ms = (System.nanoTime() - start) / 1_000_000;
            String outcome = ar.succeeded() ? ar.result() : "failed: " + ar.cause();
            metrics.record(name, ms, ar.succeeded());
            if (ar.failed()) {
                LOG.warn("Job {} failed after {} ms: {}", name, ms, ar.cause().toString());
            }
            ops.jobDone(name, ms, outcome);
        });
    }

    /**
     * Users Postgres has online whose connections all expired (their node died) go offline. A user seen
     * within the grace period is left to the settle of the node that saw them: they may be between two
     * connections, and the sweep must not announce what the grace exists to hide.
     */
    private Future<String> sweep() {
        long seenBefore = System.currentTimeMillis() - cfg.offlineGraceSeconds() * 1000L;
        return ops.onlineUsers(SWEEP_BATCH).compose(ids -> {
            return store.status(ids).compose(statuses -> {
                List<Long> gone = ids.stream()
                        .filter(id -> !statuses.get(id).online() && statuses.get(id).lastSeenMillis() < seenBefore).toList();
                Map<Long, PresenceStore.Status> changes = new HashMap<>();
                List<Long> quiet = new ArrayList<>();
                Future<Void> chain = Future.succeededFuture();
                for (long id : gone) {
                    chain = chain.compose(v -> store.announce(id, false).map(changed -> {
                        if (changed) {
                            changes.put(id, statuses.get(id)); // announced (and written) with the next batch
                        } else {
                            quiet.add(id); // announced already; only Postgres is behind
                        }
                        return null;
                    }));
                }
                return chain.compose(v -> {
                    announce.accept(changes);
                    return quiet.isEmpty() ? Future.succeededFuture() : ops.updatePresence(quiet, quiet.stream().map(q -> false).toList());
                }).map(v -> "checked " + ids.size() + ", offline " + gone.size());
            });
        });
    }

    private Future<String> flushLastSeen() {
        return store.drainLastSeen().compose(seen -> {
            if (seen.isEmpty()) {
                return Future.succeededFuture("nothing to flush");
            }
            List<Long> ids = new ArrayList<>(seen.keySet());
            List<Long> millis = ids.stream().map(seen::get).toList();
            return ops.updateLastSeen(ids, millis).map(v -> "flushed " + ids.size());
        });
    }

}
