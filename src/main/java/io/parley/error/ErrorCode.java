package io.parley.error;

import java.util.HashMap;
import java.util.Map;

/**
 * Every failure Parley reports, with a stable numeric code (used as the event-bus {@code ReplyException}
 * failure code), a slug (the {@code code} of problem+json bodies and WebSocket {@code error} frames),
 * the HTTP status and whether retrying later may succeed.
 * Ranges: 1xxx our fault or a dependency's, 2xxx malformed input, 3xxx identity and permission,
 * 4xxx state conflicts and limits. Numbers are never reused.
 */
public enum ErrorCode {
    INTERNAL(1000, "internal", 500, true),
    UNAVAILABLE(1001, "unavailable", 503, true),
    TIMEOUT(1002, "timeout", 504, true),
    OVERLOADED(1003, "overloaded", 503, true),

    BAD_REQUEST(2000, "bad_request", 400, false),
    INVALID_JSON(2001, "invalid_json", 400, false),
    VALIDATION(2002, "validation_failed", 400, false),
    UNKNOWN_TYPE(2003, "unknown_type", 400, false),
    TOO_LARGE(2004, "too_large", 413, false),
    BAD_CURSOR(2005, "bad_cursor", 400, false),
    UNSUPPORTED_MEDIA_TYPE(2006, "unsupported_media_type", 415, false),
    METHOD_NOT_ALLOWED(2007, "method_not_allowed", 405, false),
    METHOD_NOT_IMPLEMENTED(2008, "method_not_implemented", 501, false),

    UNAUTHORIZED(3000, "unauthorized", 401, false),
    TOKEN_EXPIRED(3001, "token_expired", 401, false),
    INVALID_CREDENTIALS(3002, "invalid_credentials", 401, false),
    REFRESH_REUSED(3003, "refresh_token_reused", 401, false),
    SESSION_REVOKED(3004, "session_revoked", 401, false),
    GUEST_EXPIRED(3005, "guest_expired", 401, false),
    FORBIDDEN(3100, "forbidden", 403, false),
    NOT_A_MEMBER(3101, "not_a_member", 403, false),
    MUTED(3102, "muted", 403, false),
    BANNED(3103, "banned", 403, false),
    ORIGIN_REFUSED(3104, "origin_refused", 403, false),
    CHANNEL_CLOSED(3105, "channel_closed", 403, false),
    /** A request in the web client's cookie mode that is not from the node's own origin, or the cookie read without that mode. */
    CSRF_REFUSED(3106, "csrf_refused", 403, false),

    NOT_FOUND(4000, "not_found", 404, false),
    CONFLICT(4001, "conflict", 409, false),
    /** Approving or rejecting a message that is not awaiting moderation. */
    NOT_PENDING(4004, "not_pending", 409, false),
    HANDLE_TAKEN(4002, "handle_taken", 409, false),
    /** No longer sent: sign-up does not tell whether a phone number is registered (docs/decisions.md). */
    PHONE_TAKEN(4003, "phone_number_taken", 409, false),
    RATE_LIMITED(4290, "rate_limited", 429, true),
    TOO_MANY_SIGNINS(4291, "too_many_signin_failures", 429, true),
    TOO_MANY_CONNECTIONS(4292, "too_many_connections", 429, true);

    private static final Map<Integer, ErrorCode> BY_NUMBER = new HashMap<>();

    static {
        for (ErrorCode c : values()) {
            BY_NUMBER.put(c.number, c);
        }
    }

    public final int number;
    public final String slug;
    public final int status;
    public final boolean temporary;

    ErrorCode(int number, String slug, int status, boolean temporary) {
        this.number = number;
        this.slug = slug;
        this.status = status;
        this.temporary = temporary;
    }

    public static ErrorCode ofNumber(int number) {
        return BY_NUMBER.getOrDefault(number, INTERNAL);
    }
}
