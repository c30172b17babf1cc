package io.parley.domain;

import java.time.Instant;

/** Whether a user is online, and when they were last seen (null when never). */
public record PresenceStatus(long userId, boolean online, Instant lastSeenAt) {
}
