package io.parley.cache;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.util.Collection;
import java.util.List;

/**
 * Cache-aside for channel lists and message pages, invalidated exactly by versions: a channel's content
 * version moves on every new, edited or deleted message and on every membership change (a direct
 * channel's list entry shows its peer), its membership version on every join, leave or kick, a user's
 * version when their list changes otherwise (membership, read marker). A lookup reads the
 * versions <em>before</em> the caller reads Postgres, and a store files the value under those versions,
 * so a write that lands in between makes the entry unservable instead of stale.
 * <p>
 * A search can also show messages of rooms the user never joined, which no version of theirs covers: a
 * cached search is also void once a message of a channel it shows is edited or deleted
 * ({@link #altered}, which moves that channel's alteration version and a global one).
 */
public interface ChatCache {

    /**
     * A hit carries the value: the JSON bytes of the response, as stored; a miss carries what {@code store*}
     * needs (the versions read).
     */
    record Lookup(Buffer json, Object token) {
        public boolean hit() {
            return json != null;
        }
    }

    /** No caching at all (cache.enabled=false): every lookup misses, nothing is stored. */
    ChatCache NONE = new ChatCache() {
        private final Future<Lookup> miss = Future.succeededFuture(new Lookup(null, null));

        public Future<Lookup> list(long userId) {
            return miss;
        }

        public Future<Void> storeList(long userId, Lookup m, List<Long> channelIds, Buffer json) {
            return Future.succeededFuture();
        }

        public Future<Lookup> page(long channelId, long userId, String params) {
            return miss;
        }

        public Future<Void> storePage(long channelId, long userId, Lookup m, String params, Buffer json) {
            return Future.succeededFuture();
        }

        public Future<Void> changed(List<Long> contentOf, List<Long> membershipOf, List<Long> listsOf) {
            return Future.succeededFuture();
        }

        public Future<Lookup> search(long userId, String key) {
            return miss;
        }

        public Future<Void> storeSearch(long userId, Lookup m, String key, Collection<Long> shownFrom, Buffer json) {
            return Future.succeededFuture();
        }

        public Future<Void> altered(List<Long> channelIds) {
            return Future.succeededFuture();
        }
    };

    /**
     * Search results of a user, valid while the user's channels and each of their contents are unchanged
     * (the same check as the channel list), and while no message of the channels the results show from
     * was edited or deleted; {@code key} identifies the query and cursor.
     */
    Future<Lookup> search(long userId, String key);

    /**
     * Files {@code json}, which shows messages of {@code shownFrom}, under the versions the miss read; not
     * at all when a message anywhere was altered since that lookup (its versions could not be trusted).
     */
    Future<Void> storeSearch(long userId, Lookup miss, String key, Collection<Long> shownFrom, Buffer json);

    /**
     * After a committed edit, deletion or expiry of messages of {@code channelIds}: their content versions
     * move (as {@link #changed}), and so does their alteration version, which voids every cached search
     * showing one of their messages, whoever's.
     */
    Future<Void> altered(List<Long> channelIds);

    Future<Lookup> list(long userId);

    Future<Void> storeList(long userId, Lookup miss, List<Long> channelIds, Buffer json);

    /** {@code params}: the page's cursor and limit, as a key part. */
    Future<Lookup> page(long channelId, long userId, String params);

    Future<Void> storePage(long channelId, long userId, Lookup miss, String params, Buffer json);

    /** Bumps versions after a committed change; completes when lookups can no longer see the old state. */
    Future<Void> changed(List<Long> contentOf, List<Long> membershipOf, List<Long> listsOf);
}
