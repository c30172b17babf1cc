package io.parley.edge.http;

import io.parley.bus.AuthApi;
import io.parley.bus.Views;
import io.parley.config.ParleyConfig;
import io.parley.domain.Tokens;
import io.parley.edge.Input;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import static io.parley.edge.http.Requests.body;
import static io.parley.edge.http.Requests.json;
import static io.parley.edge.http.Requests.principal;

/** /auth/* and /me: validation here, the work in the auth service ({@link AuthApi}). */
final class AuthRoutes {

    private final AuthApi auth;
    private final RefreshCookie cookie;

    AuthRoutes(AuthApi auth, ParleyConfig config) {
        this.auth = auth;
        this.cookie = new RefreshCookie(config);
    }

    void mount(Router api, Handler<RoutingContext> authenticated) {
        api.post("/auth/signup").handler(this::signup);
        api.post("/auth/signin").handler(this::signin);
        api.post("/auth/refresh").handler(this::refresh);
        api.post("/auth/guest").handler(this::guest);
        api.post("/auth/signout").handler(authenticated).handler(this::signout);
        api.get("/me").handler(authenticated).handler(ctx ->
                auth.me(principal(ctx)).onSuccess(u -> json(ctx, 200, Views.me(u))).onFailure(ctx::fail));
        api.put("/me/password").handler(authenticated).handler(this::changePassword);
        api.get("/users").handler(authenticated).handler(this::users);
    }

    /** GET /users?ids=1,2,3 (at most 100) or ?handle=alice: id, handle, display name and kind, to show names. */
    private void users(RoutingContext ctx) {
        String handle = ctx.request().getParam("handle");
        String raw = ctx.request().getParam("ids");
        if ((handle == null || handle.isEmpty()) == (raw == null || raw.isEmpty())) {
            throw Input.invalid("Give either ids (comma-separated user ids) or handle.");
        }
        java.util.List<Long> ids = Requests.queryIds(ctx, "ids", 100);
        if (handle != null && handle.length() > 64) {
            throw Input.invalid("handle is at most 64 characters.");
        }
        auth.users(principal(ctx), ids, handle == null || handle.isEmpty() ? null : handle).onSuccess(list -> json(ctx, 200, new JsonObject()
                .put("users", new io.vertx.core.json.JsonArray(list.stream().map(Views::user).toList())))).onFailure(ctx::fail);
    }

    /** Answers the tokens: the refresh token in a cookie when the request asked for that, else in the JSON. */
    private void tokens(RoutingContext ctx, int status, boolean inCookie, Tokens t) {
        json(ctx, status, inCookie ? cookie.set(ctx, t) : Views.tokens(t));
    }

    private void signup(RoutingContext ctx) {
        boolean inCookie = cookie.requested(ctx);
        JsonObject in = body(ctx);
        auth.signup(Requests.clientAddress(ctx), Input.handle(Input.string(in, "handle")),
                        Input.password(Input.string(in, "password"), "password"),
                        Input.text(Input.optString(in, "displayName"), "displayName", 64, false),
                        Input.phone(Input.optString(in, "phoneNumber")))
                .onSuccess(t -> tokens(ctx, 201, inCookie, t)).onFailure(ctx::fail);
    }

    private void signin(RoutingContext ctx) {
        boolean inCookie = cookie.requested(ctx);
        JsonObject in = body(ctx);
        String identifier = Input.optString(in, "handle");
        if (identifier == null) {
            identifier = Input.optString(in, "phoneNumber");
        }
        if (identifier == null || identifier.isBlank() || identifier.length() > 64) {
            throw Input.invalid("Give your handle (or phoneNumber) and password.");
        }
        String password = Input.string(in, "password");
        if (password.length() > 200) {
            throw Input.invalid("password is too long.");
        }
        auth.signin(Requests.clientAddress(ctx), identifier.strip(), password)
                .onSuccess(t -> tokens(ctx, 200, inCookie, t)).onFailure(ctx::fail);
    }

    /**
     * The refresh token comes in the JSON (API clients), or in the cookie with {@code X-Parley-Refresh:
     * cookie} (the web client). In the cookie mode the cookie wins over a token in the body, which is only
     * read without a cookie (a web client moving a token it kept in storage into the cookie). A cookie
     * without the header is never read: 403, so a cross-site form cannot use it.
     */
    private void refresh(RoutingContext ctx) {
        boolean inCookie = cookie.requested(ctx);
        String fromCookie = RefreshCookie.read(ctx);
        String token;
        if (inCookie) {
            token = fromCookie != null ? fromCookie : Input.optString(Requests.optionalBody(ctx), "refreshToken");
            if (token == null) {
                throw ParleyException.of(ErrorCode.UNAUTHORIZED, "No session cookie came with this request; sign in again.");
            }
        } else {
            if (fromCookie != null && Requests.optionalBody(ctx).getValue("refreshToken") == null) {
                throw RefreshCookie.refused("The session cookie is only read with the header " + RefreshCookie.HEADER + ": cookie.");
            }
            token = Input.string(body(ctx), "refreshToken");
        }
        if (token.length() > 200) {
            throw Input.invalid("refreshToken is not a Parley refresh token.");
        }
        auth.refresh(token).onSuccess(t -> tokens(ctx, 200, inCookie, t)).onFailure(ctx::fail);
    }

    /** Ends the caller's session; in the cookie mode the answer also clears the cookie. */
    private void signout(RoutingContext ctx) {
        boolean inCookie = cookie.requested(ctx);
        auth.signout(principal(ctx)).onSuccess(r -> {
            if (inCookie) {
                RefreshCookie.clear(ctx);
            }
            ctx.response().setStatusCode(204).end();
        }).onFailure(ctx::fail);
    }

    private void guest(RoutingContext ctx) {
        boolean inCookie = cookie.requested(ctx);
        JsonObject in = Requests.optionalBody(ctx);
        String raw = in.getValue("displayName") == null ? "Guest" : Input.string(in, "displayName");
        String name = Input.text(raw, "displayName", 64, true);
        auth.guest(Requests.clientAddress(ctx), name).onSuccess(t -> tokens(ctx, 201, inCookie, t)).onFailure(ctx::fail);
    }

    private void changePassword(RoutingContext ctx) {
        JsonObject in = body(ctx);
        if (principal(ctx).isGuest()) {
            throw ParleyException.of(ErrorCode.FORBIDDEN, "Guests have no password to change.");
        }
        auth.changePassword(principal(ctx), Requests.clientAddress(ctx), Input.string(in, "currentPassword"),
                        Input.password(Input.string(in, "newPassword"), "newPassword"))
                .onSuccess(r -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    }
}
