package io.parley.domain;

/** The outcome of a join or an invitation: {@code added} is false when the user was already a member. */
public record Joined(long channelId, long userId, boolean added) {
}
