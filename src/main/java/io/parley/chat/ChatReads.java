package io.parley.chat;

import io.parley.bus.Commands;
import io.parley.bus.ReadsApi;
import io.parley.bus.Views;
import io.parley.cache.ChatCache;
import io.parley.domain.Message;
import io.parley.domain.Principal;
import io.parley.persistence.ChannelStore;
import io.parley.persistence.MessageStore;
import io.parley.persistence.SearchStore;
import io.parley.config.ParleyConfig;
import io.parley.limits.Quotas;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
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
    private final Searches searches;
    /** Pages behind a cursor asked once in the last {@link #ASKED_WINDOW}, by channel and cursor: bounded. */
    private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> askedOnce = Caffeine.newBuilder()
            .maximumSize(20_000).expireAfterWrite(ASKED_WINDOW).build();
    static final Duration ASKED_WINDOW = Duration.ofMinutes(2);

    public ChatReads(ChannelStore channels, MessageStore messages, SearchStore search, ChatCache cache, Quotas quotas,
                     ParleyConfig.Limits limits) {
        this.channels = channels;
        this.messages = messages;
        this.members = new Members(channels);
        this.cache = cache;
        this.searches = new Searches(search, members, cache, quotas, limits);
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

    /**
     * A page of history. The newest page of a channel (no cursor) is the one every client opening the
     * channel asks for: it goes through the cache. A page behind a cursor is asked by one reader scrolling
     * back, rarely twice: the first ask reads PostgreSQL directly, with no cache round trip and nothing
     * stored, and only a page asked again within {@link #ASKED_WINDOW} goes through the cache.
     */
    @Override
    public Future<Buffer> page(Principal p, Commands.PageQuery q) {
        long channelId = q.channelId();
        String params = q.before() + ":" + q.after() + ":" + q.limit();
        boolean newest = q.before() == Long.MAX_VALUE && q.after() < 0;
        if (!newest && askedOnce.asMap().putIfAbsent(channelId + ":" + params, Boolean.TRUE) == null) {
            return read(p, q).map(Page::json);
        }
        return cache.page(channelId, p.userId(), params).compose(look -> look.hit() ? Future.succeededFuture(look.json())
                : read(p, q).map(page -> {
                    if (page.cacheable()) {
                        cache.storePage(channelId, p.userId(), look, params, page.json());
                    }
                    return page.json();
                }));
    }

    /**
     * A page from PostgreSQL; an empty one is answered only to a member in good standing. A held message
     * shows only its place ({@link Views#heldMessage}), except a pending one to its author and the
     * channel's moderators: a page with a pending message is rendered for its reader and not cached.
     */
    private Future<Page> read(Principal p, Commands.PageQuery q) {
        int limit = q.limit();
        return messages.page(q.channelId(), p.userId(), q.before(), q.after(), limit + 1, !q.forward()).compose(list -> {
            if (list.isEmpty()) {
                return members.reader(p, q.channelId()).map(c -> new Page(pageJson(List.of(), false, p.userId(), false), false));
            }
            boolean hasMore = list.size() > limit;
            List<Message> page = hasMore ? list.subList(0, limit) : list;
            if (q.forward()) {
                page = new ArrayList<>(page);
                Collections.reverse(page);
            }
            List<Message> rows = page;
            boolean pending = rows.stream().anyMatch(m -> Message.PENDING.equals(m.status()) && m.senderId() != p.userId());
            boolean ownPending = rows.stream().anyMatch(m -> Message.PENDING.equals(m.status()));
            if (pending) {
                return members.visible(p, q.channelId()).compose(c -> members.moderates(p, c))
                        .map(mod -> new Page(pageJson(rows, hasMore, p.userId(), mod), false));
            }
            // a non-empty page proves the right to read it (the query checks it): it may be cached, unless it
            // shows the reader's own pending message, which others see only as a place
            return Future.succeededFuture(new Page(pageJson(rows, hasMore, p.userId(), false), !ownPending));
        });
    }

    private record Page(Buffer json, boolean cacheable) {
    }

    private static Buffer pageJson(List<Message> page, boolean hasMore, long viewerId, boolean moderates) {
        return new JsonObject().put("messages", new JsonArray(page.stream().map(m -> Views.message(m, viewerId, moderates)).toList()))
                .put("hasMore", hasMore).toBuffer();
    }

    /** A search: see {@link Searches}. */
    @Override
    public Future<Buffer> search(Principal p, Commands.SearchQuery q) {
        return searches.search(p, q);
    }
}
