package io.parley.domain;

import java.util.List;

/** What a retention run deleted: messages past their channel's retention, and the channels they were in. */
public record Expired(long messages, List<Long> channels, boolean more) {
}
