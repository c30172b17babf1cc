package io.parley.persistence;

import io.parley.domain.Expired;

import io.parley.domain.Purged;
import io.vertx.core.Future;

/** Leases of the background jobs (one node runs each per interval) and the retention they run. */
public interface JobStore {

    /** True when this node won the run of {@code name} for the current interval. */
    Future<Boolean> claimJob(String name, int intervalSeconds, int leaseSeconds, String node);

    Future<Void> jobDone(String name, long durationMs, String result);

    /** Deletes expired sessions and guests. */
    Future<Purged> purge();

    /**
     * Deletes messages past their channel's retention, oldest first, in batches of {@code batch}, at most
     * {@code budget} in this run ({@code more}: the budget ran out first).
     */
    Future<Expired> expire(int batch, int budget);
}
