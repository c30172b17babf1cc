package io.parley.edge.http;

import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.MDC;

/** The one place that turns failures into RFC 9457 problem+json responses. */
public final class Problems {

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private Problems() {
    }

    public static void handle(RoutingContext ctx) {
        ParleyException p = toParley(ctx);
        String requestId = Requests.requestId(ctx);
        // An overloaded hashing queue is an expected refusal, counted and logged in summary where it happens
        // (parley.auth.admission.refused); one ERROR per shed request would flood the log during a storm.
        if (p.code().status >= 500 && p.code() != ErrorCode.OVERLOADED) {
            MDC.put("requestId", requestId);
            try {
                LOG.error("{} {} failed [requestId={}]", ctx.request().method(), ctx.request().path(), requestId, ctx.failure());
            } finally {
                MDC.remove("requestId");
            }
        }
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        write(ctx, p, requestId);
    }

    public static void write(RoutingContext ctx, ParleyException p, String requestId) {
        write(ctx.request(), p, requestId);
    }

    /** Writes the problem on a bare request, for answers given before the router (the edge's screening). */
    public static Future<Void> write(HttpServerRequest request, ParleyException p, String requestId) {
        HttpServerResponse response = request.response();
        JsonObject body = new JsonObject()
                .put("type", "urn:parley:problem:" + p.code().slug)
                .put("title", title(p.code()))
                .put("status", p.code().status)
                .put("detail", p.getMessage())
                .put("code", p.code().slug)
                .put("instance", request.path())
                .put("requestId", requestId);
        if (p.retryAfterSeconds() > 0) {
            response.putHeader("Retry-After", String.valueOf(p.retryAfterSeconds())); // from the limit's window
        } else if (p.code() == ErrorCode.RATE_LIMITED) {
            response.putHeader("Retry-After", "1"); // buckets refill every second
        } else if (p.code() == ErrorCode.OVERLOADED || p.code() == ErrorCode.UNAVAILABLE) {
            response.putHeader("Retry-After", "2"); // a shed queue drains in about its bound (auth.bcryptMaxWaitMs)
        } else if (p.code() == ErrorCode.TOO_MANY_CONNECTIONS) {
            response.putHeader("Retry-After", "5"); // a slot frees when one of the address's connections closes
        }
        return response.setStatusCode(p.code().status)
                .putHeader("Content-Type", "application/problem+json")
                .end(body.toBuffer());
    }

    private static ParleyException toParley(RoutingContext ctx) {
        Throwable t = ctx.failure();
        if (t instanceof ParleyException p) {
            return p;
        }
        if (t instanceof DecodeException) {
            return ParleyException.of(ErrorCode.INVALID_JSON, "The request body is not valid JSON.");
        }
        if (t != null && !(t instanceof HttpException)) {
            return ParleyException.from(t);
        }
        int status = t instanceof HttpException h ? h.getStatusCode() : ctx.statusCode();
        return switch (status) {
            case 404 -> ParleyException.of(ErrorCode.NOT_FOUND, "There is no endpoint " + ctx.request().method() + " " + ctx.request().path() + ".");
            case 405 -> ParleyException.of(ErrorCode.METHOD_NOT_ALLOWED, ctx.request().method() + " is not allowed on " + ctx.request().path() + ".");
            case 413 -> ParleyException.of(ErrorCode.TOO_LARGE, "The request body is too large.");
            case 415 -> ParleyException.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.");
            case 401 -> ParleyException.of(ErrorCode.UNAUTHORIZED, "Sign in first: this request needs an access token.");
            case 403 -> ParleyException.of(ErrorCode.FORBIDDEN, "You are not allowed to do this.");
            default -> status >= 400 && status < 500
                    ? ParleyException.of(ErrorCode.BAD_REQUEST, "The request could not be understood.")
                    : ParleyException.of(ErrorCode.INTERNAL, "Something went wrong on our side.");
        };
    }

    private static String title(ErrorCode code) {
        String s = code.slug.replace('_', ' ');
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
