package io.parley.persistence;

import io.parley.chat.Views;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class PgOpsStore implements OpsStore {

    private final Db db;

    public PgOpsStore(Db db) {
        this.db = db;
    }

    @Override
    public Future<Map<Long, List<Long>>> presenceChannels(List<Long> userIds) {
        return db.query(SqlQueries.PRESENCE_CHANNELS, Tuple.tuple().addValue(userIds.toArray(new Long[0]))).map(rows -> {
            Map<Long, List<Long>> out = new HashMap<>();
            for (Row r : rows) {
                out.put(r.getLong("user_id"), Arrays.asList(r.getArrayOfLongs("ids")));
            }
            return out;
        });
    }

    @Override
    public Future<Void> updatePresence(List<Long> userIds, List<Boolean> online) {
        return db.query(SqlQueries.PRESENCE_UPDATE, Tuple.tuple().addValue(userIds.toArray(new Long[0])).addValue(online.toArray(new Boolean[0]))).mapEmpty();
    }

    @Override
    public Future<Void> updateLastSeen(List<Long> userIds, List<Long> millis) {
        return db.query(SqlQueries.PRESENCE_LAST_SEEN, Tuple.tuple().addValue(userIds.toArray(new Long[0])).addValue(millis.toArray(new Long[0]))).mapEmpty();
    }

    @Override
    public Future<List<Long>> onlineUsers(int limit) {
        return db.query(SqlQueries.PRESENCE_ONLINE_USERS, Tuple.of(limit)).map(rows -> {
            List<Long> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(r.getLong("id")));
            return out;
        });
    }

    @Override
    public Future<List<Long>> presenceVisible(long callerId, List<Long> userIds) {
        return db.query(SqlQueries.PRESENCE_VISIBLE, Tuple.tuple().addLong(callerId).addValue(userIds.toArray(new Long[0]))).map(rows -> {
            List<Long> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(r.getLong("id")));
            return out;
        });
    }

    @Override
    public Future<JsonArray> presenceFallback(List<Long> userIds) {
        return db.query(SqlQueries.PRESENCE_FALLBACK, Tuple.tuple().addValue(userIds.toArray(new Long[0]))).map(rows -> {
            JsonArray out = new JsonArray();
            rows.forEach(r -> out.add(new JsonObject().put("userId", r.getLong("id")).put("online", r.getBoolean("is_online"))
                    .put("lastSeenAt", Views.time(r.getOffsetDateTime("last_seen_at")))));
            return out;
        });
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
    public Future<JsonObject> purge() {
        return db.query(SqlQueries.PURGE_SESSIONS, Tuple.tuple()).compose(s -> db.query(SqlQueries.PURGE_GUESTS, Tuple.tuple())
                .map(g -> new JsonObject().put("sessions", s.rowCount()).put("guests", g.rowCount())));
    }
}
