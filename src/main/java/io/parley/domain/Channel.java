package io.parley.domain;

import java.time.OffsetDateTime;

/** A channel as the caller sees it; {@code membership} is null when the caller is not a member. */
public record Channel(long id, ChannelKind kind, String name, String topic, Long loungeId, String language,
                      long lastSeq, OffsetDateTime lastMessageAt, OffsetDateTime createdAt, boolean active,
                      Membership membership, Integer retentionDays, String premoderation) {

    public boolean isPublicLike() {
        return kind == ChannelKind.PUBLIC || kind == ChannelKind.ROOM;
    }
}
