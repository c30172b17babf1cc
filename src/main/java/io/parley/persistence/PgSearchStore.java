package io.parley.persistence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.config.ParleyConfig;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Search on its own pool ({@link Database#searchPool}), through a {@link SearchGate}. A search reads the
 * newest {@code search.scanRows} messages before its cursor in answer order and checks each against the
 * words; when those hold too few results it asks the full-text index for at most
 * {@code search.candidates} matches, which are all of them for a rare word (then the answer is exact)
 * and a sample for a common one (then it answers what the newest messages held, and where it stopped).
 */
public final class PgSearchStore implements SearchStore {

    private static final Logger LOG = LoggerFactory.getLogger(PgSearchStore.class);
    /** The cursor of a first page: after every message there is. */
    private static final OffsetDateTime END = OffsetDateTime.of(9999, 12, 31, 0, 0, 0, 0, ZoneOffset.UTC);
    /** How long the set of configurations in use is trusted: a room of a new language is searched in its own within it. */
    static final long CONFIGS_MILLIS = 10_000;
    private static final String QUERY_CANCELED = "57014";

    /** The statements of one way of matching: across channels and in one, each a scan and a candidates read. */
    private record Statements(String scan, String scanChannel, String candidates, String candidatesChannel) {
        static Statements of(String lexemes, String match) {
            return new Statements(SqlQueries.searchScan(match, false), SqlQueries.searchScan(match, true),
                    SqlQueries.searchCandidates(lexemes, match, false), SqlQueries.searchCandidates(lexemes, match, true));
        }
    }

    private static final Statements LANGUAGE = Statements.of(SqlQueries.SEARCH_LEXEMES_LANGUAGE, SqlQueries.SEARCH_MATCH_LANGUAGE);

    private final Db db;
    private final SearchGate gate;
    private final int scanRows;
    private final int candidates;
    private final int timeoutMs;
    private final Counter timedOut;
    private volatile Statements inUse;
    private volatile long inUseAt;

    /** {@code db}: over the search pool, whose sessions end each statement after {@code search.timeoutMs}. */
    public PgSearchStore(Vertx vertx, Db db, ParleyConfig.Search config, MeterRegistry registry) {
        this.db = db;
        this.gate = new SearchGate(vertx, config.poolSize(), config.queue(), config.timeoutMs(), registry);
        this.scanRows = config.scanRows();
        this.candidates = config.candidates();
        this.timeoutMs = config.timeoutMs();
        this.timedOut = SearchGate.refused(registry, "timeout");
    }

    @Override
    public Future<Searched> search(long userId, String query, Long channelId, String language, Position before, int limit) {
        return gate.run(() -> statements(language)
                .compose(st -> read(st, userId, query, channelId, language, before, limit))
                .recover(this::outOfTime));
    }

    private Future<Searched> read(Statements st, long userId, String query, Long channelId, String language, Position before, int limit) {
        boolean one = channelId != null;
        Tuple scan = cursor(userId, query, channelId, language, before).addInteger(limit).addInteger(scanRows);
        return db.query(one ? st.scanChannel() : st.scan(), scan).compose(rows -> {
            List<Found> hits = new ArrayList<>();
            boolean stopped = false;
            Position resume = null;
            for (Row r : rows) {
                if (r.getBoolean("hit")) {
                    hits.add(found(r));
                }
                if (r.getBoolean("last_read")) {
                    stopped = true;
                    resume = position(r.getArrayOfLongs("last_visible"));
                }
            }
            if (hits.size() >= limit || !stopped) {
                return Future.succeededFuture(new Searched(hits, false, null)); // a full page, or everything before the cursor was read
            }
            Position resumeAt = resume;
            Tuple ask = cursor(userId, query, channelId, language, before).addInteger(limit).addInteger(candidates + 1);
            return db.query(one ? st.candidatesChannel() : st.candidates(), ask).map(found -> {
                if (found.iterator().next().getLong("candidates") > candidates) {
                    return new Searched(hits, true, resumeAt); // more matches than the bound: what the newest held, and where to go on
                }
                List<Found> all = new ArrayList<>();
                for (Row r : found) {
                    if (r.getLong("channel_id") != null) {
                        all.add(found(r));
                    }
                }
                return new Searched(all, false, null);
            });
        });
    }

    /** A place read as [microseconds since the epoch, channel, seq]; null stays null. */
    private static Position position(Long[] place) {
        return place == null ? null : new Position(Instant.EPOCH.plus(place[0], ChronoUnit.MICROS).atOffset(ZoneOffset.UTC), place[1], place[2]);
    }

    /** $1 to $3, then the cursor: across channels ($4 $5 $6: time, channel, seq) or in one ($4 channel, $5 seq). */
    private static Tuple cursor(long userId, String query, Long channelId, String language, Position before) {
        Tuple t = Tuple.tuple().addLong(userId).addString(query).addString(language);
        long seq = before == null ? Long.MAX_VALUE : before.seq();
        if (channelId != null) {
            return t.addLong(channelId).addLong(seq);
        }
        return t.addOffsetDateTime(before == null ? END : before.createdAt()).addLong(before == null ? Long.MAX_VALUE : before.channelId())
                .addLong(seq);
    }

    private static Found found(Row r) {
        return new Found(Rows.message(r), r.getString("channel_name"));
    }

    /** A statement cancelled by the search sessions' statement_timeout: the database is too busy for it now. */
    private Future<Searched> outOfTime(Throwable t) {
        if (!PgErrors.is(t, QUERY_CANCELED)) {
            return Future.failedFuture(t);
        }
        timedOut.increment();
        LOG.warn("A search ran past search.timeoutMs ({} ms) and was stopped", timeoutMs);
        return Future.failedFuture(new ParleyException(ErrorCode.OVERLOADED, "The search took longer than " + timeoutMs
                + " ms and was stopped: the server is busy. Try again in a moment.", (timeoutMs + 999) / 1000));
    }

    /** With a language, its configuration only; else 'simple' and those of the rooms' languages, read again every {@link #CONFIGS_MILLIS}. */
    private Future<Statements> statements(String language) {
        if (language != null) {
            return Future.succeededFuture(LANGUAGE);
        }
        Statements known = inUse;
        if (known != null && System.currentTimeMillis() - inUseAt < CONFIGS_MILLIS) {
            return Future.succeededFuture(known);
        }
        return db.query(SqlQueries.SEARCH_CONFIGS, Tuple.tuple()).map(rows -> {
            TreeSet<String> cfgs = new TreeSet<>();
            cfgs.add("pg_catalog.simple");
            rows.forEach(r -> cfgs.add(qualified(r.getString("cfg"))));
            inUse = Statements.of(SqlQueries.searchLexemes(cfgs), SqlQueries.searchMatch(cfgs));
            inUseAt = System.currentTimeMillis();
            return inUse;
        });
    }

    /** regconfig::text prints built-in configurations without their schema. */
    private static String qualified(String cfg) {
        return cfg.startsWith("pg_catalog.") ? cfg : "pg_catalog." + cfg;
    }
}
