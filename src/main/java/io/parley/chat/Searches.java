package io.parley.chat;

import io.parley.bus.Commands;
import io.parley.bus.Views;
import io.parley.cache.ChatCache;
import io.parley.config.ParleyConfig;
import io.parley.domain.Principal;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.limits.Quotas;
import io.parley.limits.Quotas.Quota;
import io.parley.persistence.SearchStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Full-text search over what the caller may read, newest first (in one channel, in its order), each
 * search counted against the caller's and their address's search limits, and answered as the JSON bytes
 * of {@code {"results", "nextCursor", "truncated"}}. The cursor is the last result's place (createdAt in
 * microseconds, channelId, seq), or where a truncated search stopped reading. Answers are cached while
 * none of the caller's channels changes and no message of a channel they show from is edited or deleted.
 */
final class Searches {

    private final SearchStore store;
    private final Members members;
    private final ChatCache cache;
    private final Quotas quotas;
    private final ParleyConfig.Limits limits;

    Searches(SearchStore store, Members members, ChatCache cache, Quotas quotas, ParleyConfig.Limits limits) {
        this.store = store;
        this.members = members;
        this.cache = cache;
        this.quotas = quotas;
        this.limits = limits;
    }

    Future<Buffer> search(Principal p, Commands.SearchQuery q) {
        SearchStore.Position before;
        try {
            before = Cursor.parse(q.before());
        } catch (RuntimeException e) {
            return Future.failedFuture(ParleyException.of(ErrorCode.BAD_CURSOR, "before is not a cursor this server gave out."));
        }
        String key = q.q() + "|" + q.channelId() + "|" + q.language() + "|" + q.before() + "|" + q.limit();
        return admitted(p, q.address()).compose(v -> cache.search(p.userId(), key))
                .compose(look -> look.hit() ? Future.succeededFuture(look.json()) : find(p, q, before, look, key));
    }

    /** One of the caller's searches and one of their address's per minute; a refused search uses up neither. */
    private Future<Void> admitted(Principal p, String address) {
        String user = String.valueOf(p.userId());
        Future<Void> mine = quotas.take(Quota.SEARCH, user, 1, limits.searchesPerUserPerMinute(), Quotas.MINUTE_MILLIS);
        return address == null ? mine : mine.compose(v -> quotas.take(Quota.SEARCH_ADDRESS, address, 1,
                        limits.searchesPerAddressPerMinute(), Quotas.MINUTE_MILLIS)
                .onFailure(t -> quotas.giveBack(Quota.SEARCH, user, 1, Quotas.MINUTE_MILLIS)));
    }

    private Future<Buffer> find(Principal p, Commands.SearchQuery q, SearchStore.Position before, ChatCache.Lookup look, String key) {
        int limit = q.limit();
        Long channelId = q.channelId();
        return store.search(p.userId(), q.q(), channelId, q.language(), before, limit + 1).compose(s -> {
            Future<Void> access = s.found().isEmpty() && channelId != null ? members.reader(p, channelId).mapEmpty()
                    : Future.succeededFuture();
            return access.map(v -> {
                boolean more = s.found().size() > limit;
                List<SearchStore.Found> page = more ? s.found().subList(0, limit) : s.found();
                SearchStore.Position next = more ? SearchStore.Position.of(page.get(page.size() - 1).message()) : s.resumeAt();
                JsonArray results = new JsonArray(page.stream().map(f -> Views.message(f.message())
                        .put("channelName", f.channelName())).toList());
                Buffer json = new JsonObject().put("results", results).put("nextCursor", next == null ? null : Cursor.format(next))
                        .put("truncated", !more && s.truncated()).toBuffer();
                cache.storeSearch(p.userId(), look, key, page.stream().map(f -> f.message().channelId()).toList(), json);
                return json;
            });
        });
    }

    /** A search cursor: a message's time in microseconds, channel and seq ({@code 1700000000000000_7_42}). */
    private static final class Cursor {

        static SearchStore.Position parse(String raw) {
            if (raw == null) {
                return null;
            }
            String[] parts = raw.split("_");
            return new SearchStore.Position(Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS).atOffset(ZoneOffset.UTC),
                    Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        }

        static String format(SearchStore.Position at) {
            Instant i = at.createdAt().toInstant();
            return (i.getEpochSecond() * 1_000_000 + i.getNano() / 1000) + "_" + at.channelId() + "_" + at.seq();
        }
    }
}
