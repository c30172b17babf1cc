package io.parley.error;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** The one failure type of Parley: a code and a sentence a person understands. */
public class ParleyException extends RuntimeException {

    private final ErrorCode code;
    /** Seconds after which a retry may succeed (the Retry-After header); 0 = the code's usual value. */
    private final int retryAfterSeconds;

    public ParleyException(ErrorCode code, String message) {
        this(code, message, 0);
    }

    public ParleyException(ErrorCode code, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfterSeconds = Math.max(0, retryAfterSeconds);
    }

    public ErrorCode code() {
        return code;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ParleyException of(ErrorCode code, String message) {
        return new ParleyException(code, message);
    }

    /** A refusal by a limit: 429 rate_limited, retry after the limit's window has moved on. */
    public static ParleyException rateLimited(String message, int retryAfterSeconds) {
        return new ParleyException(ErrorCode.RATE_LIMITED, message, Math.max(1, retryAfterSeconds));
    }

    /**
     * The failure a bus consumer replies with. A plain {@code fail(code, message)} loses the retry-after;
     * this subclass keeps it on node-local addresses, where the bus hands the reply object over as is.
     */
    public ReplyException toReply() {
        return new RetryReply(code.number, getMessage(), retryAfterSeconds);
    }

    /** A recipient failure that also carries the seconds of Retry-After. */
    public static final class RetryReply extends ReplyException {

        private final int retryAfterSeconds;

        RetryReply(int failureCode, String message, int retryAfterSeconds) {
            super(ReplyFailure.RECIPIENT_FAILURE, failureCode, message, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    /**
     * Maps any failure, local or from the event bus, to a ParleyException. Unknown failures become
     * {@link ErrorCode#INTERNAL} with a generic sentence; the caller logs the cause.
     */
    public static ParleyException from(Throwable t) {
        if (t instanceof ParleyException p) {
            return p;
        }
        if (t instanceof ReplyException r) {
            if (r.failureType() == ReplyFailure.TIMEOUT) {
                return new ParleyException(ErrorCode.TIMEOUT, "The server took too long to answer; try again.");
            }
            if (r.failureType() == ReplyFailure.NO_HANDLERS) {
                return new ParleyException(ErrorCode.UNAVAILABLE, "The service is starting or stopping; try again shortly.");
            }
            ErrorCode code = ErrorCode.ofNumber(r.failureCode());
            String message = code == ErrorCode.INTERNAL ? "Something went wrong on our side." : r.getMessage();
            return new ParleyException(code, message, r instanceof RetryReply rr ? rr.retryAfterSeconds : 0);
        }
        return new ParleyException(ErrorCode.INTERNAL, "Something went wrong on our side.");
    }
}
