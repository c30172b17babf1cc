package io.parley.domain;

import io.parley.error.ErrorCode;

import java.util.List;

/** The access check of a subscribe frame: the channels allowed (with their newest seq) and those refused, in the order asked. */
public record SubscribeCheck(List<Allowed> allowed, List<Refused> refused) {

    /**
     * {@code moderates}: the caller sees the channel's held messages; {@code lastDecisionSeq}: the
     * channel's last seq at its latest approval or rejection (0: never), which a resume compares its since with;
     * {@code member}: the caller is a member in good standing (a room is read without being one), who may type.
     */
    public record Allowed(long channelId, long lastSeq, boolean moderates, long lastDecisionSeq, boolean member) {
    }

    public record Refused(long channelId, ErrorCode code, String message) {
    }
}
