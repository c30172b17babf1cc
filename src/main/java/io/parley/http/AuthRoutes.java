package io.parley.http;

import io.parley.Addresses;
import io.parley.chat.Input;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import static io.parley.http.Requests.body;
import static io.parley.http.Requests.call;
import static io.parley.http.Requests.json;
import static io.parley.http.Requests.withPrincipal;

/** /auth/* and /me: validation here, the work in the persistence verticle. */
final class AuthRoutes {

    private final EventBus eventBus;

    AuthRoutes(EventBus eventBus) {
        this.eventBus = eventBus;
    }

    void mount(Router api, Handler<RoutingContext> authenticated) {
        api.post("/auth/signup").handler(this::signup);
        api.post("/auth/signin").handler(this::signin);
        api.post("/auth/refresh").handler(this::refresh);
        api.post("/auth/guest").handler(this::guest);
        api.post("/auth/signout").handler(authenticated).handler(ctx ->
                call(eventBus, Addresses.AUTH_SIGNOUT, withPrincipal(ctx))
                        .onSuccess(r -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail));
        api.get("/me").handler(authenticated).handler(ctx ->
                call(eventBus, Addresses.USER_GET, withPrincipal(ctx)).onSuccess(r -> json(ctx, 200, r)).onFailure(ctx::fail));
        api.put("/me/password").handler(authenticated).handler(this::changePassword);
    }

    private void signup(RoutingContext ctx) {
        JsonObject in = body(ctx);
        JsonObject req = new JsonObject()
                .put("handle", Input.handle(Input.string(in, "handle")))
                .put("password", Input.password(Input.string(in, "password"), "password"))
                .put("displayName", Input.text(Input.optString(in, "displayName"), "displayName", 64, false))
                .put("phoneNumber", Input.phone(Input.optString(in, "phoneNumber")))
                .put("addr", Requests.clientAddress(ctx));
        call(eventBus, Addresses.AUTH_SIGNUP, req).onSuccess(r -> json(ctx, 201, r)).onFailure(ctx::fail);
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
        call(eventBus, Addresses.AUTH_SIGNIN, new JsonObject().put("identifier", identifier.strip()).put("password", password)
                        .put("addr", Requests.clientAddress(ctx)))
                .onSuccess(r -> json(ctx, 200, r)).onFailure(ctx::fail);
    }

    private void refresh(RoutingContext ctx) {
        String token = Input.string(body(ctx), "refreshToken");
        if (token.length() > 200) {
            throw Input.invalid("refreshToken is not a Parley refresh token.");
        }
        call(eventBus, Addresses.AUTH_REFRESH, new JsonObject().put("refreshToken", token))
                .onSuccess(r -> json(ctx, 200, r)).onFailure(ctx::fail);
    }

    private void guest(RoutingContext ctx) {
        JsonObject in = Requests.optionalBody(ctx);
        String raw = in.getValue("displayName") == null ? "Guest" : Input.string(in, "displayName");
        String name = Input.text(raw, "displayName", 64, true);
        call(eventBus, Addresses.AUTH_GUEST, new JsonObject().put("displayName", name).put("addr", Requests.clientAddress(ctx)))
                .onSuccess(r -> json(ctx, 201, r)).onFailure(ctx::fail);
    }

    private void changePassword(RoutingContext ctx) {
        JsonObject in = body(ctx);
        if (Requests.principal(ctx).isGuest()) {
            throw io.parley.error.ParleyException.of(io.parley.error.ErrorCode.FORBIDDEN, "Guests have no password to change.");
        }
        JsonObject req = withPrincipal(ctx)
                .put("currentPassword", Input.string(in, "currentPassword"))
                .put("newPassword", Input.password(Input.string(in, "newPassword"), "newPassword"))
                .put("addr", Requests.clientAddress(ctx));
        call(eventBus, Addresses.AUTH_PASSWORD, req).onSuccess(r -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
    }
}
