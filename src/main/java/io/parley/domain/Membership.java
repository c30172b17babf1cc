package io.parley.domain;

import java.time.OffsetDateTime;

/** One user's membership of one channel; {@code unread} and {@code mentions}: after the read marker, counted up to 1,000. */
public record Membership(MemberRole role, long lastReadSeq, OffsetDateTime mutedUntil, boolean banned, long unread, long mentions) {

    public boolean canModerate() {
        return role == MemberRole.OWNER || role == MemberRole.MODERATOR;
    }

    public boolean isMuted(OffsetDateTime now) {
        return mutedUntil != null && mutedUntil.isAfter(now);
    }
}
