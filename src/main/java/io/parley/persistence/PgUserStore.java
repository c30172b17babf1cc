package io.parley.persistence;

import io.parley.domain.User;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;
import io.parley.domain.UserKind;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

public final class PgUserStore implements UserStore {

    private final Db db;

    public PgUserStore(Db db) {
        this.db = db;
    }

    @Override
    public Future<User> create(String handle, String displayName, String phoneNumber, String passwordHash, UserKind kind,
                               Integer ttlSeconds, String displayNameAsHandle) {
        return insert(handle, displayName, phoneNumber, passwordHash, kind, ttlSeconds, displayNameAsHandle)
                .recover(t -> {
                    // two sign-ups racing for one free number: the loser goes on without it, like any taken number
                    if (phoneNumber != null && t instanceof PgException pg && "23505".equals(pg.getSqlState())
                            && String.valueOf(pg.getConstraint()).contains("phone")) {
                        return insert(handle, displayName, null, passwordHash, kind, ttlSeconds, displayNameAsHandle);
                    }
                    return Future.failedFuture(t);
                })
                .recover(PgUserStore::uniqueViolation);
    }

    private Future<User> insert(String handle, String displayName, String phoneNumber, String passwordHash, UserKind kind,
                                Integer ttlSeconds, String displayNameAsHandle) {
        return db.query(SqlQueries.USER_INSERT, Tuple.of(handle, displayName, phoneNumber, passwordHash, kind.wire(),
                        ttlSeconds, displayNameAsHandle))
                .compose(rows -> rows.size() == 0
                        ? Future.failedFuture(ParleyException.of(ErrorCode.VALIDATION, "displayName \"" + displayName
                        + "\" is (or looks like) another user's handle; pick a name that is yours."))
                        : Future.succeededFuture(Rows.user(rows.iterator().next())));
    }

    private static Future<User> uniqueViolation(Throwable t) {
        if (t instanceof PgException pg && "23505".equals(pg.getSqlState())) {
            if (String.valueOf(pg.getConstraint()).contains("skeleton")) {
                return Future.failedFuture(ParleyException.of(ErrorCode.HANDLE_TAKEN,
                        "That handle is too similar to an existing one (I, l and 1, O and 0, rn and m look alike); pick another."));
            }
            return Future.failedFuture(ParleyException.of(ErrorCode.HANDLE_TAKEN, "That handle is already taken; pick another."));
        }
        return Future.failedFuture(t);
    }

    @Override
    public Future<Map<Long, UserKind>> kinds(Collection<Long> ids) {
        return db.query(SqlQueries.USER_KINDS, Tuple.tuple().addValue(ids.toArray(new Long[0]))).map(rows -> {
            Map<Long, UserKind> out = new HashMap<>();
            rows.forEach(r -> out.put(r.getLong("id"), UserKind.of(r.getString("kind"))));
            return out;
        });
    }

    @Override
    public Future<Optional<User>> byId(long id) {
        return db.query(SqlQueries.USER_BY_ID, Tuple.of(id)).map(PgUserStore::first);
    }

    @Override
    public Future<Optional<User>> byHandle(String handle) {
        return db.query(SqlQueries.USER_BY_HANDLE, Tuple.of(handle)).map(PgUserStore::first);
    }

    @Override
    public Future<java.util.List<User>> byIds(java.util.List<Long> ids, long viewerId) {
        return db.query(SqlQueries.USER_BY_IDS, Tuple.of(ids.toArray(new Long[0]), viewerId)).map(rows -> {
            java.util.List<User> out = new java.util.ArrayList<>(rows.size());
            rows.forEach(r -> out.add(Rows.user(r)));
            return out;
        });
    }

    @Override
    public Future<Optional<User>> byPhoneNumber(String phoneNumber) {
        return db.query(SqlQueries.USER_BY_PHONE, Tuple.of(phoneNumber)).map(PgUserStore::first);
    }

    @Override
    public Future<Void> setPassword(long userId, String passwordHash) {
        return db.query(SqlQueries.USER_SET_PASSWORD, Tuple.of(userId, passwordHash)).mapEmpty();
    }


    private static Optional<User> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(Rows.user(rows.iterator().next()));
    }
}
