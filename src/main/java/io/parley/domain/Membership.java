package io.parley.domain;

import java.time.OffsetDateTime;

/** One user's membership of one channel. */
public record Membership(String role, long lastReadSeq, OffsetDateTime mutedUntil, boolean banned, long unread) {

    public boolean canModerate() {
        return "owner".equals(role) || "moderator".equals(role);
    }

    public boolean isMuted(OffsetDateTime now) {
        return mutedUntil != null && mutedUntil.isAfter(now);
    }
}
