package io.parley.persistence;

import io.parley.domain.PresenceStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.OffsetDateTime;

public final class PgPresenceRecords implements PresenceRecords {

    private final Db db;

    public PgPresenceRecords(Db db) {
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
    public Future<List<PresenceStatus>> presenceFallback(List<Long> userIds) {
        return db.query(SqlQueries.PRESENCE_FALLBACK, Tuple.tuple().addValue(userIds.toArray(new Long[0]))).map(rows -> {
            List<PresenceStatus> out = new ArrayList<>(rows.size());
            rows.forEach(r -> {
                OffsetDateTime seen = r.getOffsetDateTime("last_seen_at");
                out.add(new PresenceStatus(r.getLong("id"), r.getBoolean("is_online"), seen == null ? null : seen.toInstant()));
            });
            return out;
        });
    }
}
