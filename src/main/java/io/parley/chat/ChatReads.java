package io.parley.chat;

import io.parley.bus.Commands;
import io.parley.bus.ReadsApi;
import io.parley.bus.Views;
import io.parley.cache.ChatCache;
import io.parley.domain.Message;
import io.parley.domain.Principal;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.persistence.ChannelStore;
import io.parley.persistence.MessageStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The hot reads, answered as the JSON bytes of the response (see {@link ReadsApi}): the channel list, a
 * page of history and a search. A hit is served as the cache stored it; a miss is read with the same
 * access rules as everything else ({@link Members}) and rendered once, for the answer and the cache.
 */
public final class ChatReads implements ReadsApi {

    private final ChannelStore channels;
    private final MessageStore messages;
    private final Members members;
    private final ChatCache cache;

    public ChatReads(ChannelStore channels, MessageStore messages, ChatCache cache) {
        this.channels = channels;
        this.messages = messages;
        this.members = new Members(channels);
        this.cache = cache;
    }

    /** My channels: from the cache while no channel in it has changed, else one query. */
    @Override
    public Future<Buffer> channels(Principal p) {
        return cache.list(p.userId()).compose(look -> look.hit() ? Future.succeededFuture(look.json())
                : channels.list(p.userId()).map(list -> {
                    Buffer json = new JsonObject().put("channels", new JsonArray(list.stream().map(Views::summary).toList())).toBuffer();
                    cache.storeList(p.userId(), look, list.stream().map(s -> s.channel().id()).toList(), json);
                    return json;
                }));
    }

    @Override
    public Future<Buffer> page(Principal p, Commands.PageQuery q) {
        long channelId = q.channelId();
        int limit = q.limit();
        String params = q.before() + ":" + q.after() + ":" + limit;
        return cache.page(channelId, p.userId(), params).compose(look -> look.hit() ? Future.succeededFuture(look.json())
                : messages.page(channelId, p.userId(), q.before(), q.after(), limit + 1, !q.forward()).compose(list -> {
                    if (list.isEmpty()) {
                        return members.member(p, channelId).map(c -> pageJson(List.of(), false));
                    }
                    boolean hasMore = list.size() > limit;
                    List<Message> page = hasMore ? list.subList(0, limit) : list;
                    if (q.forward()) {
                        page = new ArrayList<>(page);
                        Collections.reverse(page);
                    }
                    Buffer json = pageJson(page, hasMore);
                    // a non-empty page proves membership in good standing: cache both
                    cache.storePage(channelId, p.userId(), look, params, json);
                    return Future.succeededFuture(json);
                }));
    }

    private static Buffer pageJson(List<Message> page, boolean hasMore) {
        return new JsonObject().put("messages", new JsonArray(page.stream().map(Views::message).toList())).put("hasMore", hasMore)
                .toBuffer();
    }

    /**
     * Full-text search over the channels the caller may read (members only), newest first. The cursor is
     * the last result's (createdAt in microseconds, channelId, seq); results are cached while none of the
     * caller's channels changes.
     */
    @Override
    public Future<Buffer> search(Principal p, Commands.SearchQuery q) {
        Cursor cursor;
        try {
            cursor = Cursor.parse(q.before());
        } catch (RuntimeException e) {
            return Future.failedFuture(ParleyException.of(ErrorCode.BAD_CURSOR, "before is not a cursor this server gave out."));
        }
        Long channelId = q.channelId();
        int limit = q.limit();
        String key = q.q() + "|" + channelId + "|" + q.before() + "|" + limit;
        return cache.search(p.userId(), key).compose(look -> look.hit() ? Future.succeededFuture(look.json())
                : messages.search(p.userId(), q.q(), channelId, cursor.time, cursor.channelId, cursor.seq, limit + 1).compose(found -> {
                    Future<Void> access = found.isEmpty() && channelId != null ? members.member(p, channelId).mapEmpty()
                            : Future.succeededFuture();
                    return access.map(v -> {
                        boolean more = found.size() > limit;
                        List<MessageStore.Found> page = more ? found.subList(0, limit) : found;
                        JsonArray results = new JsonArray(page.stream().map(f -> Views.message(f.message())
                                .put("channelName", f.channelName())).toList());
                        String next = more ? Cursor.after(page.get(page.size() - 1).message()) : null;
                        Buffer json = new JsonObject().put("results", results).put("nextCursor", next).toBuffer();
                        cache.storeSearch(p.userId(), look, key, json);
                        return json;
                    });
                }));
    }

    /** A search cursor: the last result's time in microseconds, channel and seq ({@code 1700000000000000_7_42}). */
    private record Cursor(OffsetDateTime time, long channelId, long seq) {

        static Cursor parse(String raw) {
            if (raw == null) {
                return new Cursor(null, 0, 0);
            }
            String[] parts = raw.split("_");
            return new Cursor(Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS).atOffset(ZoneOffset.UTC),
                    Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        }

        static String after(Message last) {
            Instant i = last.createdAt().toInstant();
            return (i.getEpochSecond() * 1_000_000 + i.getNano() / 1000) + "_" + last.channelId() + "_" + last.seq();
        }
    }
}
