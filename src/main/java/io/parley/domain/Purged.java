package io.parley.domain;

/** What a retention run deleted: expired sessions and expired guest accounts. */
public record Purged(long sessions, long guests) {
}
