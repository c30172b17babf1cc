package io.parley.persistence;

import io.parley.domain.Lounge;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public final class PgLoungeStore implements LoungeStore {

    private final Db db;

    public PgLoungeStore(Db db) {
        this.db = db;
    }

    @Override
    public Future<List<Lounge>> active() {
        return db.query(SqlQueries.LOUNGES_ACTIVE, Tuple.of(MAX_LOUNGES)).compose(rows -> {
            Map<Long, Lounge> lounges = new LinkedHashMap<>();
            rows.forEach(r -> lounges.put(r.getLong("id"), lounge(r)));
            if (lounges.isEmpty()) {
                return Future.succeededFuture(List.of());
            }
            Long[] ids = lounges.keySet().toArray(new Long[0]);
            return db.query(SqlQueries.ROOMS_ACTIVE, Tuple.of((Object) ids)).compose(roomRows -> moderators(ids).map(mods -> {
                Map<Long, List<Lounge.Room>> rooms = new HashMap<>();
                roomRows.forEach(r -> rooms.computeIfAbsent(r.getLong("lounge_id"), k -> new ArrayList<>()).add(room(r)));
                return lounges.values().stream().map(l -> l.withRooms(List.copyOf(rooms.getOrDefault(l.id(), List.of())))
                        .withModerators(mods.getOrDefault(l.id(), List.of()))).toList();
            }));
        });
    }

    @Override
    public Future<Optional<Lounge>> bySlug(String slug, boolean everything) {
        return db.query(SqlQueries.LOUNGE_BY_SLUG, Tuple.of(slug)).compose(rows -> {
            if (rows.size() == 0) {
                return Future.succeededFuture(Optional.empty());
            }
            Lounge l = lounge(rows.iterator().next());
            if (!l.active() && !everything) {
                return Future.succeededFuture(Optional.empty());
            }
            Future<RowSet<Row>> rooms = everything ? db.query(SqlQueries.ROOMS_ALL, Tuple.of(l.id()))
                    : db.query(SqlQueries.ROOMS_ACTIVE, Tuple.of((Object) new Long[]{l.id()}));
            return rooms.compose(rs -> moderators(new Long[]{l.id()}).map(mods -> {
                List<Lounge.Room> list = new ArrayList<>();
                rs.forEach(r -> list.add(room(r)));
                return Optional.of(l.withRooms(List.copyOf(list)).withModerators(mods.getOrDefault(l.id(), List.of())));
            }));
        });
    }

    @Override
    public Future<Map<Long, Lounge.Counts>> counts(List<Long> roomIds) {
        if (roomIds.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return db.query(SqlQueries.ROOM_COUNTS, Tuple.of((Object) roomIds.toArray(new Long[0]))).map(rows -> {
            Map<Long, Lounge.Counts> out = new HashMap<>();
            rows.forEach(r -> out.put(r.getLong("channel_id"), new Lounge.Counts(r.getLong("members"), r.getLong("online"))));
            return out;
        });
    }

    @Override
    public Future<Optional<Lounge>> create(String slug, String name) {
        return db.query(SqlQueries.LOUNGE_INSERT, Tuple.of(slug, name))
                .map(rows -> rows.size() == 0 ? Optional.<Lounge>empty() : Optional.of(lounge(rows.iterator().next())));
    }

    @Override
    public Future<Optional<Lounge>> update(String slug, String name, Boolean active) {
        return db.inTransaction(conn -> db.query(conn, SqlQueries.LOUNGE_UPDATE, Tuple.of(slug, name, active)).compose(rows -> {
            if (rows.size() == 0) {
                return Future.succeededFuture(Optional.<Lounge>empty());
            }
            Lounge l = lounge(rows.iterator().next());
            return db.query(conn, SqlQueries.LOUNGE_ROOMS_ACTIVITY, Tuple.of(l.id(), l.active())).map(Optional.of(l));
        })).compose(l -> l.isEmpty() ? Future.succeededFuture(l) : bySlug(slug, true));
    }

    @Override
    public Future<Optional<Lounge.Room>> addRoom(String slug, String language, String name, String topic) {
        return db.query(SqlQueries.ROOM_INSERT, Tuple.of(slug, name, topic, language))
                .map(rows -> rows.size() == 0 ? Optional.<Lounge.Room>empty() : Optional.of(room(rows.iterator().next())));
    }

    @Override
    public Future<Optional<Lounge.Room>> updateRoom(String slug, long roomId, String name, String topic, Boolean active) {
        return db.query(SqlQueries.ROOM_UPDATE, Tuple.of(slug, roomId, name, topic, active))
                .map(rows -> rows.size() == 0 ? Optional.<Lounge.Room>empty() : Optional.of(room(rows.iterator().next())));
    }

    private Future<Map<Long, List<Long>>> moderators(Long[] loungeIds) {
        return db.query(SqlQueries.LOUNGE_MODERATORS, Tuple.of((Object) loungeIds)).map(rows -> {
            Map<Long, List<Long>> out = new HashMap<>();
            rows.forEach(r -> out.computeIfAbsent(r.getLong("lounge_id"), k -> new ArrayList<>()).add(r.getLong("user_id")));
            return out;
        });
    }

    @Override
    public Future<Boolean> setRetention(String slug, Integer days) {
        return db.query(SqlQueries.LOUNGE_RETENTION, Tuple.tuple().addString(slug).addInteger(days)).map(rows -> rows.size() > 0);
    }

    @Override
    public Future<Boolean> addModerator(String slug, long userId) {
        return db.query(SqlQueries.LOUNGE_MODERATOR_ADD, Tuple.of(slug, userId)).map(rows -> true)
                // a user id that names nobody: the foreign key says so
                .recover(t -> PgErrors.is(t, PgErrors.FOREIGN_KEY_VIOLATION) ? Future.succeededFuture(false) : Future.failedFuture(t));
    }

    @Override
    public Future<Boolean> removeModerator(String slug, long userId) {
        return db.query(SqlQueries.LOUNGE_MODERATOR_REMOVE, Tuple.of(slug, userId)).map(rows -> rows.size() > 0);
    }

    private static Lounge lounge(Row r) {
        return new Lounge(r.getLong("id"), r.getString("slug"), r.getString("name"), r.getBoolean("is_active"),
                r.getOffsetDateTime("created_at"), List.of(), List.of(), r.getInteger("retention_days"));
    }

    private static Lounge.Room room(Row r) {
        return new Lounge.Room(r.getLong("id"), r.getLong("lounge_id"), r.getString("language"), r.getString("name"),
                r.getString("topic"), r.getBoolean("own_active"));
    }
}
