package io.parley.domain;

import java.time.OffsetDateTime;

/** A message of a channel; {@code seq} is its gap-free position in the channel. */
public record Message(long channelId, long seq, long senderId, String clientMsgId, String body,
                      OffsetDateTime createdAt, OffsetDateTime editedAt, OffsetDateTime deletedAt) {

    public boolean deleted() {
        return deletedAt != null;
    }
}
