package io.parley.error;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** The one failure type of Parley: a code and a sentence a person understands. */
public class ParleyException extends RuntimeException {

    private final ErrorCode code;

    public ParleyException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static ParleyException of(ErrorCode code, String message) {
        return new ParleyException(code, message);
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
            return new ParleyException(code, message);
        }
        return new ParleyException(ErrorCode.INTERNAL, "Something went wrong on our side.");
    }
}
