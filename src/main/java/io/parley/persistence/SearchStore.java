package io.parley.persistence;

import io.parley.domain.Message;
import io.vertx.core.Future;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Full-text search over what a user may read, each search reading a bounded number of rows whatever the
 * data (docs/decisions.md, "Search reads a bounded number of rows").
 */
public interface SearchStore {

    /** A search hit: the message and the name of its channel. */
    record Found(Message message, String channelName) {
    }

    /** A place in the order of a search: a message's time, channel and seq (the parts of a cursor). */
    record Position(OffsetDateTime createdAt, long channelId, long seq) {

        public static Position of(Message m) {
            return new Position(m.createdAt(), m.channelId(), m.seq());
        }
    }

    /**
     * What one search found, at most the number asked, in answer order. {@code truncated}: the search
     * stopped at its read bound before it found that many, so there may be more; a next search may go on
     * after {@code resumeAt}, the last message it read in a channel the reader may read (null when it read
     * none). Not truncated: {@code found} holds everything before the cursor, up to the number asked.
     */
    record Searched(List<Found> found, boolean truncated, Position resumeAt) {
    }

    /**
     * Messages matching {@code query} in what user {@code userId} may read (their channels in good
     * standing, and the rooms they are not banned from), or in one channel, or in the channels of one
     * {@code language} (a tag, null for all), after {@code before} (null: from the newest), at most
     * {@code limit}. Across channels newest first (createdAt, channelId, seq); in one channel in its
     * order (seq). Each message is matched in the text-search configuration of its channel's language.
     * Fails with {@code overloaded} when too many searches run or one ran out of time.
     */
    Future<Searched> search(long userId, String query, Long channelId, String language, Position before, int limit);
}
