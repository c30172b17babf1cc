package io.parley.edge.http;

import io.parley.bus.AuthApi;
import io.parley.bus.Views;
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

    AuthRoutes(AuthApi auth) {
        this.auth = auth;
    }

    void mount(Router api, Handler<RoutingContext> authenticated) {
        api.post("/auth/signup").handler(this::signup);
        api.post("/auth/signin").handler(this::signin);
        api.post("/auth/refresh").handler(this::refresh);
        api.post("/auth/guest").handler(this::guest);
        api.post("/auth/signout").handler(authenticated).handler(ctx ->
                auth.signout(principal(ctx))
                        .onSuccess(r -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail));
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

    private void signup(RoutingContext ctx) {
        JsonObject in = body(ctx);
        auth.signup(Requests.clientAddress(ctx), Input.handle(Input.string(in, "handle")),
                        Input.password(Input.string(in, "password"), "password"),
                        Input.text(Input.optString(in, "displayName"), "displayName", 64, false),
                        Input.phone(Input.optString(in, "phoneNumber")))
                .onSuccess(t -> json(ctx, 201, Views.tokens(t))).onFailure(ctx::fail);
    }

    private void signin(RoutingContext ctx) {
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
                .onSuccess(t -> json(ctx, 200, Views.tokens(t))).onFailure(ctx::fail);
    }

    private void refresh(RoutingContext ctx) {
        String token = Input.string(body(ctx), "refreshToken");
        if (token.length() > 200) {
            throw Input.invalid("refreshToken is not a Parley refresh token.");
        }
        auth.refresh(token).onSuccess(t -> json(ctx, 200, Views.tokens(t))).onFailure(ctx::fail);
    }

    private void guest(RoutingContext ctx) {
        JsonObject in = Requests.optionalBody(ctx);
        String raw = in.getValue("displayName") == null ? "Guest" : Input.string(in, "displayName");
        String name = Input.text(raw, "displayName", 64, true);
        auth.guest(Requests.clientAddress(ctx), name).onSuccess(t -> json(ctx, 201, Views.tokens(t))).onFailure(ctx::fail);
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
