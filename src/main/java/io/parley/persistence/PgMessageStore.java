package io.parley.persistence;

import io.parley.domain.Message;
import io.parley.domain.SendResult;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.parley.domain.ChannelKind;

public final class PgMessageStore implements MessageStore {

    private final Db db;

    public PgMessageStore(Db db) {
        this.db = db;
    }

    @Override
    public Future<Optional<SendResult>> send(long channelId, long senderId, String clientMsgId, String body, boolean guest, boolean admin) {
        return db.query(SqlQueries.MESSAGE_SEND, Tuple.of(channelId, senderId, clientMsgId, body, Mentions.handles(body), guest, admin))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<SendResult>empty();
                    }
                    Row r = rows.iterator().next();
                    Long[] mentioned = r.getArrayOfLongs("mentioned");
                    return Optional.of(new SendResult(Rows.message(r), true, mentioned == null ? List.of() : List.of(mentioned)));
                })
                .recover(t -> isUniqueViolation(t)
                        ? db.query(SqlQueries.MESSAGE_BY_CLIENT_ID, Tuple.of(channelId, senderId, clientMsgId))
                        .map(rows -> first(rows).map(m -> new SendResult(m, false)))
                        : Future.failedFuture(t));
    }

    private static boolean isUniqueViolation(Throwable t) {
        return t instanceof PgException pg && "23505".equals(pg.getSqlState());
    }

    @Override
    public Future<List<Message>> page(long channelId, long userId, long before, long after, int limit, boolean newestFirst) {
        String sql = newestFirst ? SqlQueries.MESSAGE_PAGE_DESC : SqlQueries.MESSAGE_PAGE_ASC;
        return db.query(sql, Tuple.of(channelId, before, after, limit, userId)).map(rows -> {
            List<Message> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                out.add(Rows.message(r));
            }
            return out;
        });
    }

    @Override
    public Future<List<Message>> pending(long channelId, long afterSeq, int limit) {
        return db.query(SqlQueries.MODERATION_QUEUE, Tuple.of(channelId, afterSeq, limit)).map(PgMessageStore::all);
    }

    @Override
    public Future<Optional<Decided>> decide(long channelId, long seq, String status, long moderatorId, String reason, String[] handles) {
        return db.query(SqlQueries.MESSAGE_DECIDE, Tuple.tuple().addLong(channelId).addLong(seq).addString(status).addLong(moderatorId)
                .addString(reason).addArrayOfString(handles)).map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            Row r = rows.iterator().next();
            Long[] mentioned = r.getArrayOfLongs("mentioned");
            return Optional.of(new Decided(Rows.message(r), mentioned == null ? List.of() : List.of(mentioned)));
        });
    }

    @Override
    public Future<List<Message>> decisions(long channelId, long since, int limit) {
        return db.query(SqlQueries.MESSAGE_DECISIONS, Tuple.of(channelId, since, limit)).map(PgMessageStore::all);
    }

    private static List<Message> all(RowSet<Row> rows) {
        List<Message> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(Rows.message(r));
        }
        return out;
    }

    @Override
    public Future<Optional<Message>> bySeq(long channelId, long seq) {
        return db.query(SqlQueries.MESSAGE_BY_SEQ, Tuple.of(channelId, seq)).map(PgMessageStore::first);
    }

    @Override
    public Future<Boolean> hasPosted(long channelId, long userId) {
        return db.query(SqlQueries.MESSAGE_POSTED, Tuple.of(channelId, userId)).map(rows -> rows.size() > 0);
    }

    @Override
    public Future<Optional<Message>> edit(long channelId, long seq, String body) {
        return db.query(SqlQueries.MESSAGE_EDIT, Tuple.of(channelId, seq, body)).map(PgMessageStore::first);
    }

    @Override
    public Future<Optional<Message>> delete(long channelId, long seq) {
        return db.query(SqlQueries.MESSAGE_DELETE, Tuple.of(channelId, seq)).map(PgMessageStore::first);
    }

    @Override
    public Future<Optional<ReadMarker>> markRead(long channelId, long userId, long seq) {
        return db.query(SqlQueries.MEMBER_READ, Tuple.of(channelId, userId, seq)).map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            Row r = rows.iterator().next();
            return Optional.of(new ReadMarker(r.getLong("last_read_seq"), ChannelKind.of(r.getString("kind"))));
        });
    }

    private static Optional<Message> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(Rows.message(rows.iterator().next()));
    }
}
