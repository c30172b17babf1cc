package io.parley.domain;

/** A committed message and whether it was created now or found by its clientMsgId (an idempotent retry). */
/** A posted message; {@code created} false when it was there already (a resend); {@code mentioned}: the members it mentions. */
public record SendResult(Message message, boolean created, java.util.List<Long> mentioned) {

    public SendResult(Message message, boolean created) {
        this(message, created, java.util.List.of());
    }
}
