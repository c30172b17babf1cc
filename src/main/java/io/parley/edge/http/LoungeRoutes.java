package io.parley.edge.http;

import io.parley.bus.LoungesApi;
import io.parley.bus.Views;
import io.parley.domain.Lounge;
import io.parley.edge.Input;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;
import java.util.regex.Pattern;

import static io.parley.edge.http.Requests.body;
import static io.parley.edge.http.Requests.pathId;
import static io.parley.edge.http.Requests.principal;
import static io.parley.edge.http.Requests.reply;

/** Lounges and their language rooms: everyone signed in (guests too) lists them; admins manage them. */
final class LoungeRoutes {

    /** Lowercase letters, digits and dashes, starting with a letter or digit: it appears in URLs. */
    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

    private final LoungesApi lounges;

    LoungeRoutes(LoungesApi lounges) {
        this.lounges = lounges;
    }

    void mount(Router api, Handler<RoutingContext> auth) {
        api.get("/lounges").handler(auth).handler(ctx -> reply(ctx, 200, lounges.list(principal(ctx)), Function.identity()));
        api.get("/lounges/:slug").handler(auth).handler(ctx -> reply(ctx, 200, lounges.get(principal(ctx), slug(ctx)), Function.identity()));
        api.post("/lounges").handler(auth).handler(this::create);
        api.patch("/lounges/:slug").handler(auth).handler(this::update);
        api.post("/lounges/:slug/rooms").handler(auth).handler(this::addRoom);
        api.patch("/lounges/:slug/rooms/:roomId").handler(auth).handler(this::updateRoom);
        api.put("/lounges/:slug/moderators/:userId").handler(auth).handler(ctx ->
                reply(ctx, 200, lounges.addModerator(principal(ctx), slug(ctx), pathId(ctx, "userId")), l -> Views.lounge(l, null)));
        api.delete("/lounges/:slug/moderators/:userId").handler(auth).handler(ctx ->
                reply(ctx, 200, lounges.removeModerator(principal(ctx), slug(ctx), pathId(ctx, "userId")), l -> Views.lounge(l, null)));
    }

    private void create(RoutingContext ctx) {
        JsonObject in = body(ctx);
        String slug = slug(Input.string(in, "slug"), "slug");
        String name = Input.text(Input.string(in, "name"), "name", 80, true);
        reply(ctx, 201, lounges.create(principal(ctx), slug, name), l -> Views.lounge(l, null));
    }

    private void update(RoutingContext ctx) {
        String slug = slug(ctx);
        JsonObject in = body(ctx);
        String name = optName(in);
        Boolean active = Input.optBoolean(in, "active");
        boolean retention = in.containsKey("retentionDays");
        Integer days = retention ? Requests.retentionDays(in) : null;
        if (name == null && active == null && !retention) {
            throw Input.invalid("Give name, active and/or retentionDays: nothing else of a lounge can be changed.");
        }
        Future<Lounge> updated = name == null && active == null ? Future.succeededFuture()
                : lounges.update(principal(ctx), slug, name, active);
        reply(ctx, 200, updated.compose(l -> retention ? lounges.setRetention(principal(ctx), slug, days) : Future.succeededFuture(l)),
                l -> Views.lounge(l, null));
    }

    private void addRoom(RoutingContext ctx) {
        String slug = slug(ctx);
        JsonObject in = body(ctx);
        String language = Input.language(Input.string(in, "language"));
        String name = optName(in);
        String topic = Input.text(Input.optString(in, "topic"), "topic", 250, false);
        reply(ctx, 201, lounges.addRoom(principal(ctx), slug, language, name == null ? defaultName(slug, language) : name,
                topic == null || topic.isEmpty() ? null : topic), r -> Views.room(r, null));
    }

    private void updateRoom(RoutingContext ctx) {
        String slug = slug(ctx);
        long roomId = pathId(ctx, "roomId");
        JsonObject in = body(ctx);
        String name = optName(in);
        // a topic of "" or null clears it; an absent topic is left as it is
        String topic = in.containsKey("topic") ? (in.getValue("topic") == null ? "" : Input.text(Input.string(in, "topic"), "topic", 250, false))
                : null;
        Boolean active = Input.optBoolean(in, "active");
        if (name == null && topic == null && active == null) {
            throw Input.invalid("Give name, topic and/or active: nothing else of a room can be changed.");
        }
        reply(ctx, 200, lounges.updateRoom(principal(ctx), slug, roomId, name, topic, active), r -> Views.room(r, null));
    }

    /** An optional name: absent is null, present must not be blank. */
    private static String optName(JsonObject in) {
        String name = Input.text(Input.optString(in, "name"), "name", 80, false);
        if (name != null && name.isEmpty()) {
            throw Input.invalid("name must not be blank.");
        }
        return name;
    }

    private static String defaultName(String slug, String language) {
        return slug.substring(0, 1).toUpperCase() + slug.substring(1) + " (" + language + ")";
    }

    private static String slug(RoutingContext ctx) {
        return slug(ctx.pathParam("slug"), "the lounge in the path");
    }

    private static String slug(String s, String what) {
        if (s == null || !SLUG.matcher(s).matches()) {
            throw Input.invalid(what + " must be a slug: 1 to 40 lowercase letters, digits and dashes, not starting with a dash.");
        }
        return s;
    }

}
