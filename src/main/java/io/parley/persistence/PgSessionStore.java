package io.parley.persistence;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;
import java.util.LinkedHashSet;
import java.util.Set;

public final class PgSessionStore implements SessionStore {

    private final Db db;

    public PgSessionStore(Db db) {
        this.db = db;
    }

    @Override
    public Future<Long> create(long userId, byte[] refreshHash, UUID familyId, int ttlSeconds) {
        return db.query(SqlQueries.SESSION_INSERT, Tuple.of(userId, Buffer.buffer(refreshHash), familyId, ttlSeconds))
                .map(rows -> rows.iterator().next().getLong("id"));
    }

    @Override
    public Future<Rotation> rotate(byte[] oldHash, byte[] newHash, int ttlSeconds, int graceSeconds) {
        return db.inTransaction(conn -> db.query(conn, SqlQueries.SESSION_BY_HASH_FOR_UPDATE,
                        Tuple.of(Buffer.buffer(oldHash), graceSeconds))
                .compose(rows -> rows.size() == 0
                        ? Future.succeededFuture(new Rotation(Outcome.UNKNOWN, 0, null))
                        : decide(conn, rows.iterator().next(), newHash, ttlSeconds)));
    }

    private Future<Rotation> decide(SqlConnection conn, Row row, byte[] newHash, int ttlSeconds) {
        long id = row.getLong("id");
        long userId = row.getLong("user_id");
        UUID family = row.getUUID("family_id");
        if (row.getBoolean("revoked")) {
            if (row.getValue("replaced_at") == null) {
                return Future.succeededFuture(new Rotation(Outcome.REVOKED, userId, family));
            }
            if (Boolean.TRUE.equals(row.getBoolean("in_grace"))) {
                return Future.succeededFuture(new Rotation(Outcome.RACE_LOST, userId, family));
            }
            return db.query(conn, SqlQueries.SESSION_REVOKE_FAMILY, Tuple.of(family))
                    .map(r -> new Rotation(Outcome.REUSED, userId, family));
        }
        if (row.getBoolean("expired")) {
            return Future.succeededFuture(new Rotation(Outcome.EXPIRED, userId, family));
        }
        return db.query(conn, SqlQueries.SESSION_ROTATE, Tuple.of(id))
                .compose(r -> db.query(conn, SqlQueries.SESSION_INSERT,
                        Tuple.of(userId, Buffer.buffer(newHash), family, ttlSeconds)))
                .map(r -> new Rotation(Outcome.ROTATED, userId, family));
    }

    @Override
    public Future<Void> revokeFamily(UUID familyId, long userId) {
        return db.query(SqlQueries.SESSION_REVOKE_OWN_FAMILY, Tuple.of(familyId, userId)).mapEmpty();
    }

    @Override
    public Future<Set<UUID>> revokeOtherFamilies(long userId, UUID keepFamilyId) {
        return db.query(SqlQueries.SESSION_REVOKE_OTHERS, Tuple.of(userId, keepFamilyId)).map(rows -> {
            Set<UUID> families = new LinkedHashSet<>();
            rows.forEach(r -> families.add(r.getUUID("family_id")));
            return families;
        });
    }

    @Override
    public Future<Boolean> familyActive(UUID familyId) {
        return db.query(SqlQueries.SESSION_FAMILY_ACTIVE, Tuple.of(familyId)).map(rows -> rows.size() > 0);
    }
}
