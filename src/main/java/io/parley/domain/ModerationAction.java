package io.parley.domain;

import java.time.OffsetDateTime;

/**
 * One recorded moderator action in a channel: who ({@code actorId}) did what ({@code action}: appoint,
 * demote, transfer, mute, unmute, ban, unban, approve, reject, premoderation) to whom ({@code targetId}),
 * why, and when; {@code seq}: the message approved or rejected. The ids are null once the user was deleted.
 */
public record ModerationAction(long id, long channelId, Long actorId, Long targetId, String action, String reason,
                               OffsetDateTime mutedUntil, OffsetDateTime at, Long seq) {
}
