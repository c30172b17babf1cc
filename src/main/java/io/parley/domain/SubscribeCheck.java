package io.parley.domain;

import io.parley.error.ErrorCode;

import java.util.List;

/** The access check of a subscribe frame: the channels allowed (with their newest seq) and those refused, in the order asked. */
public record SubscribeCheck(List<Allowed> allowed, List<Refused> refused) {

    public record Allowed(long channelId, long lastSeq) {
    }

    public record Refused(long channelId, ErrorCode code, String message) {
    }
}
