package io.parley.edge.http;

import java.util.function.Function;

import io.vertx.core.Future;

import io.parley.domain.Principal;
import io.parley.edge.StrictJson;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import io.parley.auth.Authenticator;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/** Helpers of the HTTP edge: reading input, the caller, writing JSON. */
public final class Requests {

    static final String PRINCIPAL = "parley.principal";
    private static final String REQUEST_ID = "parley.requestId";

    private Requests() {
    }

    /**
     * The request body as a JSON object, read strictly (see {@link StrictJson}), or an INVALID_JSON /
     * VALIDATION failure a person understands.
     */
    public static JsonObject body(RoutingContext ctx) {
        Buffer buffer = ctx.body().buffer();
        if (buffer == null || buffer.length() == 0) {
            throw ParleyException.of(ErrorCode.INVALID_JSON, "The request body must be a JSON object.");
        }
        return StrictJson.object(buffer, "The request body");
    }

    /** A body that may be absent (empty means {}). */
    public static JsonObject optionalBody(RoutingContext ctx) {
        Buffer buffer = ctx.body().buffer();
        return buffer == null || buffer.length() == 0 ? new JsonObject() : body(ctx);
    }

    public static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    /**
     * The client's address, as the TCP peer: the per-address limits key on it. X-Forwarded-For is not
     * read, since any client can send it; behind a proxy every client shares the proxy's address.
     */
    public static String clientAddress(RoutingContext ctx) {
        SocketAddress peer = ctx.request().remoteAddress();
        String host = peer == null ? null : peer.hostAddress();
        return host == null || host.isEmpty() ? "unknown" : host;
    }

    /**
     * Verifies the bearer token (signature, expiry, and that its session has not ended) and stores the
     * caller; refuses with 401 before any work is done.
     */
    public static void authenticate(RoutingContext ctx, Authenticator auth) {
        String header = ctx.request().getHeader("Authorization");
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        auth.authenticate(token).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.put(PRINCIPAL, ar.result());
                ctx.next();
            } else {
                if (ar.cause() instanceof ParleyException p && p.code().status == 401) {
                    ctx.response().putHeader("WWW-Authenticate", "Bearer");
                }
                ctx.fail(ar.cause());
            }
        });
    }

    public static long pathId(RoutingContext ctx, String name) {
        String raw = ctx.pathParam(name);
        try {
            long v = Long.parseLong(raw);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the refusal
        }
        throw ParleyException.of(ErrorCode.VALIDATION, name + " in the path must be a positive whole number, not \"" + raw + "\".");
    }

    /** A cursor or limit from the query string; {@code absent} when missing. */
    /**
     * A query parameter of comma-separated positive ids, repeats dropped, at most {@code max}; empty when the
     * parameter is absent or empty. A bad part is named in the answer (cut to 32 characters).
     */
    static java.util.List<Long> queryIds(RoutingContext ctx, String name, int max) {
        String raw = ctx.request().getParam(name);
        java.util.List<Long> ids = new java.util.ArrayList<>();
        if (raw == null || raw.isBlank()) {
            return ids;
        }
        for (String part : raw.split(",")) {
            long id;
            try {
                id = Long.parseLong(part.strip());
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (id <= 0) {
                throw io.parley.edge.Input.invalid(name + " must be positive whole numbers separated by commas, not \""
                        + (part.length() <= 32 ? part : part.substring(0, 32) + "…") + "\".");
            }
            if (!ids.contains(id)) {
                ids.add(id);
            }
            if (ids.size() > max) {
                throw io.parley.edge.Input.invalid("Ask for at most " + max + " users at a time.");
            }
        }
        return ids;
    }

    public static long queryLong(RoutingContext ctx, String name, long absent) {
        String raw = ctx.request().getParam(name);
        if (raw == null || raw.isEmpty()) {
            return absent;
        }
        try {
            long v = Long.parseLong(raw);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the refusal
        }
        throw ParleyException.of(ErrorCode.BAD_CURSOR, name + " must be a non-negative whole number, not \"" + raw + "\".");
    }

    public static String requestId(RoutingContext ctx) {
        String id = ctx.get(REQUEST_ID);
        if (id == null) {
            id = requestId(ctx.request());
            ctx.put(REQUEST_ID, id);
        }
        return id;
    }

    /** The client's X-Request-Id when it is well formed, else a new one (for answers given before routing). */
    static String requestId(HttpServerRequest request) {
        String given = request.getHeader("X-Request-Id");
        return given != null && given.matches("[A-Za-z0-9._-]{1,64}") ? given : UUID.randomUUID().toString();
    }

    /** Writes an answer that is either a JsonObject or the JSON bytes of one (cached reads come as bytes). */
    public static void json(RoutingContext ctx, int status, Object body) {
        Buffer bytes = body instanceof Buffer b ? b : ((JsonObject) body).toBuffer();
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(bytes);
    }

    /** {@code retentionDays}: a whole number of days from 1 to 3650, or null for none. */
    static Integer retentionDays(JsonObject in) {
        Object v = in.getValue("retentionDays");
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1 || n.longValue() > 3650) {
            throw io.parley.edge.Input.invalid("retentionDays must be a whole number of days from 1 to 3650, or null to keep messages forever.");
        }
        return n.intValue();
    }

    /** Answers {@code status} with the view of what {@code result} brings (a JsonObject, or the JSON bytes of a cached read). */
    static <T> void reply(RoutingContext ctx, int status, Future<T> result, Function<T, ?> view) {
        result.onSuccess(r -> json(ctx, status, view.apply(r))).onFailure(ctx::fail);
    }
}
