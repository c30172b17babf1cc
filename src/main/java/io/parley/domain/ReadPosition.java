package io.parley.domain;

/** A member's read marker in a channel. */
public record ReadPosition(long channelId, long lastReadSeq) {
}
