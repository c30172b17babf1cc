package io.parley.domain;

import java.time.OffsetDateTime;

/**
 * A message of a channel; {@code seq} is its gap-free position in the channel. {@code status} is
 * {@code approved}, or, in a channel with pre-moderation, {@code pending} until a moderator approves or
 * {@code rejected} it: a held message keeps its seq, but only its author and the channel's moderators
 * see what it says.
 */
public record Message(long channelId, long seq, long senderId, String clientMsgId, String body,
                      OffsetDateTime createdAt, OffsetDateTime editedAt, OffsetDateTime deletedAt, String status) {

    public static final String APPROVED = "approved";
    public static final String PENDING = "pending";
    public static final String REJECTED = "rejected";

    public Message(long channelId, long seq, long senderId, String clientMsgId, String body,
                   OffsetDateTime createdAt, OffsetDateTime editedAt, OffsetDateTime deletedAt) {
        this(channelId, seq, senderId, clientMsgId, body, createdAt, editedAt, deletedAt, APPROVED);
    }

    public boolean deleted() {
        return deletedAt != null;
    }

    /** Held for moderation: pending or rejected. */
    public boolean held() {
        return !APPROVED.equals(status);
    }

    /** Whether {@code viewerId} sees what it says: always once approved; while pending, its author and moderators. */
    public boolean visibleTo(long viewerId, boolean moderates) {
        return APPROVED.equals(status) || (PENDING.equals(status) && (moderates || viewerId == senderId));
    }
}
