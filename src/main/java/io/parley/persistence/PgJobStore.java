package io.parley.persistence;

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
}
