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
import java.time.OffsetDateTime;

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
    public Future<List<Found>> search(long userId, String query, Long channelId, String language, OffsetDateTime beforeTime,
                                      long beforeChannel, long beforeSeq, int limit) {
        Tuple args = Tuple.tuple().addLong(userId).addString(query).addLong(channelId).addOffsetDateTime(beforeTime)
                .addLong(beforeChannel).addLong(beforeSeq).addInteger(limit);
        Future<RowSet<Row>> found = language != null
                ? db.query(SqlQueries.MESSAGE_SEARCH_LANGUAGE, args.addString(language))
                : configsInUse().compose(cfgs -> db.query(SqlQueries.messageSearch(cfgs), args));
        return found.map(rows -> {
            List<Found> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                out.add(new Found(Rows.message(r), r.getString("channel_name")));
            }
            return out;
        });
    }

    /** 'simple' and the configurations of the rooms' languages; read again every {@link #CONFIGS_MILLIS}. */
    private Future<List<String>> configsInUse() {
        List<String> known = configs;
        if (known != null && System.currentTimeMillis() - configsAt < CONFIGS_MILLIS) {
            return Future.succeededFuture(known);
        }
        return db.query(SqlQueries.SEARCH_CONFIGS, Tuple.tuple()).map(rows -> {
            java.util.TreeSet<String> cfgs = new java.util.TreeSet<>();
            cfgs.add("pg_catalog.simple");
            rows.forEach(r -> cfgs.add(qualified(r.getString("cfg"))));
            configs = List.copyOf(cfgs);
            configsAt = System.currentTimeMillis();
            return configs;
        });
    }

    /** regconfig::text prints built-in configurations without their schema. */
    private static String qualified(String cfg) {
        return cfg.startsWith("pg_catalog.") ? cfg : "pg_catalog." + cfg;
    }

    /** How long the set of configurations in use is trusted: a room of a new language is searched in its own within it. */
    static final long CONFIGS_MILLIS = 10_000;
    private volatile List<String> configs;
    private volatile long configsAt;

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
