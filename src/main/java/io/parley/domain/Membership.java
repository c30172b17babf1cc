package io.parley.domain;

import java.time.OffsetDateTime;

/**
 * One user's row in one channel; {@code unread} and {@code mentions}: after the read marker, counted up to
 * 1,000. {@code joined}: the user is, or was until banned, a member; a ban of someone who never joined (or
 * who was removed while banned) is a row with {@code banned} and not {@code joined}. Only a row that is
 * joined and not banned is a membership in good standing.
 */
public record Membership(MemberRole role, long lastReadSeq, OffsetDateTime mutedUntil, boolean banned, long unread, long mentions,
                         boolean joined) {

    public boolean canModerate() {
        return !banned && (role == MemberRole.OWNER || role == MemberRole.MODERATOR);
    }

    public boolean isMuted(OffsetDateTime now) {
        return mutedUntil != null && mutedUntil.isAfter(now);
    }

    /** A member in good standing: joined and not banned. */
    public boolean inGoodStanding() {
        return joined && !banned;
    }
}
