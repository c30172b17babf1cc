package io.parley.domain;

/** A committed message and whether it was created now or found by its clientMsgId (an idempotent retry). */
public record SendResult(Message message, boolean created) {
}
