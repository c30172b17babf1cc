package io.parley.persistence;

import java.util.Set;

import java.util.List;

import java.util.LinkedHashSet;

import java.util.ArrayList;

import java.time.OffsetDateTime;

import io.vertx.sqlclient.Row;

import io.parley.domain.Expired;

import io.parley.domain.Purged;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;

public final class PgJobStore implements JobStore {

    private final Db db;

    public PgJobStore(Db db) {
        this.db = db;
    }

    @Override
    public Future<Boolean> claimJob(String name, int intervalSeconds, int leaseSeconds, String node) {
        return db.query(SqlQueries.JOB_CLAIM, Tuple.of(name, intervalSeconds, leaseSeconds, node)).map(rows -> rows.size() > 0);
    }

    @Override
    public Future<Void> jobDone(String name, long durationMs, String result) {
        return db.query(SqlQueries.JOB_DONE, Tuple.of(name, durationMs, result)).mapEmpty();
    }

    @Override
    public Future<Purged> purge() {
        return db.query(SqlQueries.PURGE_SESSIONS, Tuple.tuple()).compose(s -> db.query(SqlQueries.PURGE_GUESTS, Tuple.tuple())
                .map(g -> new Purged(s.rowCount(), g.rowCount())));
    }

    @Override
    public Future<Expired> expire(int batch, int budget) {
        // a run visits at most ten channels with something due per batch its budget allows; the rest wait for the next run
        int maxChannels = Math.max(1, budget / Math.max(1, batch) * 10);
        return db.query(SqlQueries.RETENTION_CHANNELS, Tuple.of(maxChannels)).compose(rows -> {
            List<long[]> channels = new ArrayList<>();
            rows.forEach(r -> channels.add(new long[]{r.getLong("id"), r.getLong("expired_through"), r.getInteger("days")}));
            long[] deleted = {0};
            Set<Long> touched = new LinkedHashSet<>();
            Future<Boolean> chain = Future.succeededFuture(false);
            for (long[] c : channels) {
                chain = chain.compose(out -> out ? Future.succeededFuture(true)
                        : expireChannel(c[0], c[1], OffsetDateTime.now().minusDays(c[2]), batch, budget, deleted, touched));
            }
            return chain.map(more -> new Expired(deleted[0], List.copyOf(touched), more || channels.size() == maxChannels));
        });
    }

    /** One channel, batch after batch; true when the run's budget is spent. */
    private Future<Boolean> expireChannel(long channelId, long after, OffsetDateTime cutoff, int batch, int budget, long[] deleted,
                                          Set<Long> touched) {
        if (deleted[0] >= budget) {
            return Future.succeededFuture(true);
        }
        int size = (int) Math.min(batch, budget - deleted[0]);
        return db.query(SqlQueries.RETENTION_DELETE, Tuple.of(channelId, after, size, cutoff)).compose(rows -> {
            if (rows.size() == 0) {
                return Future.succeededFuture(false);
            }
            long upto = 0;
            for (Row r : rows) {
                upto = Math.max(upto, r.getLong("seq"));
            }
            deleted[0] += rows.size();
            touched.add(channelId);
            long through = upto;
            return db.query(SqlQueries.RETENTION_MARK, Tuple.of(channelId, through)).compose(v -> rows.size() < size
                    ? Future.succeededFuture(false)
                    : expireChannel(channelId, through, cutoff, batch, budget, deleted, touched));
        });
    }
}
