package io.parley.persistence;

import io.parley.domain.Message;
import io.parley.domain.SendResult;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
import io.parley.domain.ChannelKind;

/** Messages of channels, ordered by their gap-free per-channel seq. */
public interface MessageStore {

    /**
     * Commits a message and returns it, or the message already stored under the same clientMsgId
     * ({@code created == false}). Empty when the sender may not post (not a member, banned, muted,
     * channel gone): the caller finds out which.
     */
    Future<Optional<SendResult>> send(long channelId, long senderId, String clientMsgId, String body, boolean guest, boolean admin);

    /** The channel's pending messages after {@code afterSeq}, oldest first. */
    Future<List<Message>> pending(long channelId, long afterSeq, int limit);

    /** An approved or rejected message with the members its approval mentions. */
    record Decided(Message message, List<Long> mentioned) {
    }

    /**
     * Approves or rejects (the {@code status}) a pending message and records it; empty when the message
     * is not pending (any more). {@code handles}: the handles its body mentions.
     */
    Future<Optional<Decided>> decide(long channelId, long seq, String status, long moderatorId, String reason, String[] handles);

    /** Messages up to {@code since} approved or rejected while the channel's last seq was {@code since} or later. */
    Future<List<Message>> decisions(long channelId, long since, int limit);

    /**
     * Messages with {@code after < seq < before}, at most {@code limit}, for a member ({@code userId});
     * newest first when {@code newestFirst}, else oldest first. Empty for a non-member.
     */
    Future<List<Message>> page(long channelId, long userId, long before, long after, int limit, boolean newestFirst);

    Future<Optional<Message>> bySeq(long channelId, long seq);

    /** Whether the user ever posted in the channel (their messages stay after they leave). */
    Future<Boolean> hasPosted(long channelId, long userId);

    Future<Optional<Message>> edit(long channelId, long seq, String body);

    Future<Optional<Message>> delete(long channelId, long seq);

    /** A read marker after a move, with the kind of its channel (who may see it depends on it). */
    record ReadMarker(long lastReadSeq, ChannelKind channelKind) {
    }

    /** The read marker after the move, or empty when not a member. */
    Future<Optional<ReadMarker>> markRead(long channelId, long userId, long seq);
}
