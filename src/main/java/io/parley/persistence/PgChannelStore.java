package io.parley.persistence;

import java.time.OffsetDateTime;

import io.parley.domain.ModerationAction;

import io.parley.domain.Membership;

import io.parley.domain.Channel;
import io.parley.domain.ChannelSummary;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import io.parley.domain.ChannelKind;
import io.parley.domain.MemberRole;
import io.parley.domain.Message;
import java.util.HashMap;
import java.util.Map;

public final class PgChannelStore implements ChannelStore {

    private final Db db;

    public PgChannelStore(Db db) {
        this.db = db;
    }

    @Override
    public Future<Long> create(ChannelKind kind, String name, String topic, long createdBy, List<Long> memberIds) {
        return db.inTransaction(conn -> db.query(conn, SqlQueries.CHANNEL_INSERT, Tuple.of(kind.wire(), name, topic, createdBy))
                .map(rows -> rows.iterator().next().getLong("id"))
                .compose(id -> addMembers(conn, id, createdBy, memberIds).map(id)))
                // a member id that names no user: the foreign key says so, in the caller's words
                .recover(t -> PgErrors.is(t, PgErrors.FOREIGN_KEY_VIOLATION)
                        ? Future.failedFuture(ParleyException.of(ErrorCode.VALIDATION, "memberIds names a user that does not exist."))
                        : Future.failedFuture(t));
    }

    private Future<Void> addMembers(SqlConnection conn, long channelId, long ownerId, List<Long> memberIds) {
        List<Tuple> batch = new ArrayList<>();
        batch.add(Tuple.of(channelId, ownerId, "owner"));
        Set<Long> others = new LinkedHashSet<>(memberIds);
        others.remove(ownerId);
        others.forEach(id -> batch.add(Tuple.of(channelId, id, "member")));
        return conn.preparedQuery(SqlQueries.MEMBER_INSERT).executeBatch(batch).mapEmpty();
    }

    @Override
    public Future<Optional<Channel>> forUser(long channelId, long userId) {
        return db.query(SqlQueries.CHANNEL_FOR_USER, Tuple.of(channelId, userId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Rows.channel(rows.iterator().next())));
    }

    @Override
    public Future<List<ChannelSummary>> list(long userId) {
        return db.query(SqlQueries.CHANNEL_LIST, Tuple.of(userId)).map(rows -> {
            List<ChannelSummary> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                Channel c = Rows.channel(r);
                Message last = Rows.lastMessage(r, c.id());
                // a held last message is shown to its author only (the channel list is per user)
                if (last != null && !last.visibleTo(userId, false)) {
                    last = null;
                }
                out.add(new ChannelSummary(c, last, Rows.peer(r)));
            }
            return out;
        });
    }

    @Override
    public Future<Map<Long, Access>> access(List<Long> channelIds, long userId) {
        return db.query(SqlQueries.CHANNEL_ACCESS_MANY, Tuple.of(channelIds.toArray(new Long[0]), userId)).map(rows -> {
            Map<Long, Access> out = new HashMap<>();
            for (Row r : rows) {
                out.put(r.getLong("id"), new Access(r.getLong("id"), r.getString("kind"), r.getBoolean("is_active"),
                        r.getLong("last_seq"), r.getString("role"), Boolean.TRUE.equals(r.getBoolean("banned")),
                        Boolean.TRUE.equals(r.getBoolean("lounge_moderator")), r.getLong("last_decision_seq")));
            }
            return out;
        });
    }

    @Override
    public Future<Map<Long, Long>> positions(List<Long> channelIds) {
        return db.query(SqlQueries.CHANNEL_POSITIONS, Tuple.of((Object) channelIds.toArray(new Long[0]))).map(rows -> {
            Map<Long, Long> out = new HashMap<>();
            for (Row r : rows) {
                out.put(r.getLong("id"), r.getLong("last_seq"));
            }
            return out;
        });
    }

    @Override
    public Future<Boolean> addMember(long channelId, long userId, MemberRole role) {
        return db.query(SqlQueries.MEMBER_INSERT, Tuple.of(channelId, userId, role.wire())).map(rows -> rows.rowCount() > 0);
    }

    @Override
    public Future<Boolean> removeMember(long channelId, long userId, Long actorId) {
        return db.inTransaction(conn -> db.query(conn, SqlQueries.MEMBER_DELETE, Tuple.of(channelId, userId))
                .compose(rows -> rows.rowCount() > 0 ? Future.succeededFuture(true)
                        // a banned member leaves the members but keeps the ban
                        : db.query(conn, SqlQueries.MEMBER_REMOVE_BANNED, Tuple.of(channelId, userId)).map(r -> r.rowCount() > 0))
                .compose(removed -> !removed || actorId == null ? Future.succeededFuture(removed)
                        : db.query(conn, SqlQueries.MODERATION_RECORD, Tuple.tuple().addLong(channelId).addLong(actorId).addLong(userId)
                        .addString("remove").addString(null).addOffsetDateTime(null)).map(true)));
    }

    @Override
    public Future<Optional<Long>> directId(long userA, long userB) {
        String key = Math.min(userA, userB) + ":" + Math.max(userA, userB);
        return db.query(SqlQueries.CHANNEL_BY_DIRECT_KEY, Tuple.of(key))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getLong("id")));
    }

    @Override
    public Future<Long> direct(long userA, long userB, String name) {
        String key = Math.min(userA, userB) + ":" + Math.max(userA, userB);
        return db.inTransaction(conn -> db.query(conn, SqlQueries.CHANNEL_INSERT_DIRECT, Tuple.of(name, key, userA))
                .compose(rows -> {
                    if (rows.size() > 0) {
                        // new: both are members
                        long id = rows.iterator().next().getLong("id");
                        return conn.preparedQuery(SqlQueries.MEMBER_INSERT)
                                .executeBatch(List.of(Tuple.of(id, userA, "member"), Tuple.of(id, userB, "member"))).map(id);
                    }
                    // existing: only the caller comes (back) in; whoever left stays out until they open it themselves
                    return db.query(conn, SqlQueries.CHANNEL_BY_DIRECT_KEY, Tuple.of(key)).map(r -> r.iterator().next().getLong("id"))
                            .compose(id -> db.query(conn, SqlQueries.MEMBER_INSERT, Tuple.of(id, userA, "member")).map(id));
                }));
    }

    @Override
    public Future<Optional<Membership>> changeMember(long channelId, long actorId, long userId, MemberRole role, boolean muteGiven,
                                                     OffsetDateTime mutedUntil, Boolean banned, List<String> actions, String reason) {
        return db.inTransaction(conn -> {
            Future<?> before = Future.succeededFuture();
            if (role == MemberRole.OWNER) {
                before = db.query(conn, SqlQueries.MEMBER_OWNERS_STEP_DOWN, Tuple.of(channelId, userId));
            }
            if (Boolean.TRUE.equals(banned)) {
                before = before.compose(v -> db.query(conn, SqlQueries.MEMBER_BAN_INSERT, Tuple.of(channelId, userId)));
            }
            Tuple change = Tuple.tuple().addLong(channelId).addLong(userId).addString(role == null ? null : role.wire())
                    .addBoolean(muteGiven).addOffsetDateTime(mutedUntil).addBoolean(banned);
            Future<Optional<Membership>> after = before.compose(v -> !Boolean.FALSE.equals(banned) ? Future.succeededFuture(false)
                            // lifting the ban of someone who never joined removes the row: it makes nobody a member
                            : db.query(conn, SqlQueries.MEMBER_UNBAN_NON_MEMBER, Tuple.of(channelId, userId)).map(rows -> rows.rowCount() > 0))
                    .compose(lifted -> lifted ? Future.succeededFuture(Optional.of(new Membership(MemberRole.MEMBER, 0, null, false, 0, 0, false)))
                            : db.query(conn, SqlQueries.MEMBER_CHANGE, change).map(rows -> rows.size() == 0 ? Optional.<Membership>empty()
                            : Optional.of(membership(rows.iterator().next()))));
            return after.compose(m -> {
                if (m.isEmpty() || actions.isEmpty()) {
                    return Future.succeededFuture(m);
                }
                List<Tuple> log = actions.stream().map(a -> Tuple.tuple().addLong(channelId).addLong(actorId).addLong(userId)
                        .addString(a).addString(reason).addOffsetDateTime("mute".equals(a) ? mutedUntil : null)).toList();
                return conn.preparedQuery(SqlQueries.MODERATION_RECORD).executeBatch(log).map(m);
            });
        });
    }

    private static Membership membership(Row r) {
        return new Membership(MemberRole.of(r.getString("role")), r.getLong("last_read_seq"), r.getOffsetDateTime("muted_until"),
                r.getBoolean("banned"), 0, 0, r.getBoolean("joined"));
    }

    @Override
    public Future<List<ModerationAction>> moderationLog(long channelId, long beforeId, int limit) {
        return db.query(SqlQueries.MODERATION_LOG, Tuple.of(channelId, beforeId <= 0 ? Long.MAX_VALUE : beforeId, limit)).map(rows -> {
            List<ModerationAction> out = new ArrayList<>();
            rows.forEach(r -> out.add(new ModerationAction(r.getLong("id"), r.getLong("channel_id"), r.getLong("actor_id"),
                    r.getLong("target_id"), r.getString("action"), r.getString("reason"), r.getOffsetDateTime("muted_until"),
                    r.getOffsetDateTime("created_at"), r.getLong("seq"))));
            return out;
        });
    }

    @Override
    public Future<Boolean> isLoungeModerator(long loungeId, long userId) {
        return db.query(SqlQueries.LOUNGE_MODERATOR, Tuple.of(loungeId, userId)).map(rows -> rows.size() > 0);
    }

    @Override
    public Future<Void> setPremoderation(long channelId, String mode, long actorId) {
        return db.query(SqlQueries.CHANNEL_PREMODERATION, Tuple.of(channelId, mode, actorId)).mapEmpty();
    }

    @Override
    public Future<Void> setRetention(long channelId, Integer days) {
        return db.query(SqlQueries.CHANNEL_RETENTION, Tuple.tuple().addLong(channelId).addInteger(days)).mapEmpty();
    }
}
