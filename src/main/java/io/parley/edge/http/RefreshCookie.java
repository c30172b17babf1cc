package io.parley.edge.http;

import io.parley.config.ParleyConfig;
import io.parley.domain.Tokens;
import io.parley.bus.Views;
import io.parley.edge.Input;
import io.parley.edge.Origins;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Locale;

/**
 * The refresh token of a browser, kept where script cannot read it (docs/decisions.md, "The refresh token
 * of the web client"). A client opts in per request with {@code X-Parley-Refresh: cookie}; the node then
 * sets the refresh token as an {@code HttpOnly; Secure; SameSite=Strict} cookie scoped to
 * {@code POST /api/v1/auth/refresh}, leaves it out of the JSON, and reads it on refresh. Against
 * cross-site requests: the cookie is only read on a request that carries the header (a form cannot send
 * one, and another origin's script cannot without a CORS preflight, which the node does not grant), and a
 * request with the header must come from the node's own origin or one listed in {@code ws.allowedOrigins}
 * ("*" does not count here); else 403 {@code csrf_refused}. API clients that send no header get and send the
 * token in JSON, as before.
 */
final class RefreshCookie {

    static final String HEADER = "X-Parley-Refresh";
    static final String NAME = "parley_refresh";
    static final String PATH = "/api/v1/auth/refresh";

    private final List<String> origins;
    private final int refreshTtlSeconds;
    private final int guestTtlSeconds;

    RefreshCookie(ParleyConfig config) {
        // "*" opens the WebSocket to any page; it never lets another origin use the session cookie
        this.origins = config.ws().allowedOrigins().stream().filter(o -> !o.equals("*")).toList();
        this.refreshTtlSeconds = config.auth().refreshTokenTtlSeconds();
        this.guestTtlSeconds = Math.min(config.auth().guestTtlSeconds(), refreshTtlSeconds);
    }

    /**
     * Whether the request asks for the cookie mode; refuses one with another value (400) or from an
     * origin that is not allowed (403 {@code csrf_refused}) before any work is done.
     */
    boolean requested(RoutingContext ctx) {
        String mode = ctx.request().getHeader(HEADER);
        if (mode == null) {
            return false;
        }
        if (!mode.strip().toLowerCase(Locale.ROOT).equals("cookie")) {
            throw Input.invalid(HEADER + " must be \"cookie\" (or left out, to get the refresh token in the JSON).");
        }
        if (!Origins.allowed(ctx.request().getHeader("Origin"), ctx.request().getHeader("Host"), origins)) {
            throw refused("Sessions in a cookie are only for pages of this server's own origin.");
        }
        return true;
    }

    /** The refresh token the request's cookie carries, or null. */
    static String read(RoutingContext ctx) {
        Cookie c = ctx.request().getCookie(NAME);
        return c == null || c.getValue().isEmpty() ? null : c.getValue();
    }

    /** Puts the new refresh token in the cookie; answers the JSON of {@code t} without it. */
    JsonObject set(RoutingContext ctx, Tokens t) {
        // as long as the session may last: a guest's never past the guest's end
        long maxAge = refreshTtlSeconds;
        if (t.user().isGuest()) {
            maxAge = guestTtlSeconds;
            if (t.user().expiresAt() > 0) {
                maxAge = Math.max(0, Math.min(maxAge, t.user().expiresAt() - System.currentTimeMillis() / 1000));
            }
        }
        ctx.response().addCookie(cookie(t.refreshToken()).setMaxAge(maxAge));
        JsonObject json = Views.tokens(t);
        json.remove("refreshToken");
        return json;
    }

    /** Tells the browser to forget the cookie. */
    static void clear(RoutingContext ctx) {
        ctx.response().addCookie(cookie("").setMaxAge(0));
    }

    static ParleyException refused(String message) {
        return ParleyException.of(ErrorCode.CSRF_REFUSED, message);
    }

    private static Cookie cookie(String value) {
        // Secure always: browsers keep Secure cookies over https and from http://localhost (and loopback
        // addresses), and refuse them over plain http elsewhere, where the web client keeps the token in memory
        return Cookie.cookie(NAME, value).setPath(PATH).setHttpOnly(true).setSecure(true).setSameSite(CookieSameSite.STRICT);
    }
}
