package io.parley.http;

import io.parley.Addresses;
import io.parley.chat.Input;
import io.parley.config.ParleyConfig;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.UUID;

import static io.parley.http.Requests.body;
import static io.parley.http.Requests.call;
import static io.parley.http.Requests.json;
import static io.parley.http.Requests.pathId;
import static io.parley.http.Requests.withPrincipal;

/** Channels, members, direct channels, messages and read markers. */
final class ChannelRoutes {

    private static final Set<String> CREATABLE = Set.of("public", "private");

    private final EventBus eventBus;
    private final ParleyConfig config;
    private final SendLimiter sendLimiter;

    ChannelRoutes(EventBus eventBus, ParleyConfig config, SendLimiter sendLimiter) {
        this.eventBus = eventBus;
        this.config = config;
        this.sendLimiter = sendLimiter;
    }

    void mount(Router api, Handler<RoutingContext> auth) {
        api.get("/channels").handler(auth).handler(ctx -> reply(ctx, 200, Addresses.CHANNEL_LIST, withPrincipal(ctx)));
        api.post("/channels").handler(auth).handler(this::create);
        api.get("/channels/:channelId").handler(auth).handler(ctx ->
                reply(ctx, 200, Addresses.CHANNEL_GET, withChannel(ctx)));
        api.post("/channels/:channelId/members").handler(auth).handler(ctx ->
                reply(ctx, 200, Addresses.CHANNEL_ADD_MEMBER, withChannel(ctx).put("userId",
                        Input.optId(Requests.optionalBody(ctx), "userId"))));
        api.delete("/channels/:channelId/members/:userId").handler(auth).handler(ctx ->
                call(eventBus, Addresses.CHANNEL_REMOVE_MEMBER, withChannel(ctx).put("userId", pathId(ctx, "userId")))
                        .onSuccess(r -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail));
        api.post("/direct/:userId").handler(auth).handler(ctx ->
                reply(ctx, 200, Addresses.CHANNEL_DIRECT, withPrincipal(ctx).put("userId", pathId(ctx, "userId"))));
        api.get("/channels/:channelId/messages").handler(auth).handler(this::page);
        api.post("/channels/:channelId/messages").handler(auth).handler(this::send);
        api.patch("/channels/:channelId/messages/:seq").handler(auth).handler(ctx -> reply(ctx, 200, Addresses.MESSAGE_EDIT,
                withChannel(ctx).put("seq", pathId(ctx, "seq"))
                        .put("body", Input.body(Input.string(body(ctx), "body"), config.messages().maxBodyChars()))));
        api.delete("/channels/:channelId/messages/:seq").handler(auth).handler(ctx -> reply(ctx, 200, Addresses.MESSAGE_DELETE,
                withChannel(ctx).put("seq", pathId(ctx, "seq"))));
        api.get("/presence").handler(auth).handler(this::presence);
        api.get("/search").handler(auth).handler(this::search);
        api.post("/channels/:channelId/read").handler(auth).handler(ctx -> reply(ctx, 200, Addresses.MESSAGE_READ,
                withChannel(ctx).put("seq", Input.id(body(ctx), "seq"))));
    }

    /** GET /search?q=&channelId=&limit=&before=: full-text search over the caller's channels. */
    private void search(RoutingContext ctx) {
        String q = ctx.request().getParam("q");
        if (q == null || q.isBlank()) {
            throw Input.invalid("q is required: the words to search for.");
        }
        if (q.length() > 200) {
            throw Input.invalid("q must be at most 200 characters.");
        }
        Input.plain(q, "q");
        String rawChannel = ctx.request().getParam("channelId");
        Long channelId = null;
        if (rawChannel != null && !rawChannel.isEmpty()) {
            try {
                channelId = Long.parseLong(rawChannel);
            } catch (NumberFormatException e) {
                channelId = -1L;
            }
            if (channelId <= 0) {
                throw Input.invalid("channelId must be a positive channel id, not \"" + rawChannel + "\".");
            }
        }
        int limit = limit(ctx, 20);
        String before = ctx.request().getParam("before");
        if (before != null && before.isEmpty()) {
            before = null;
        }
        if (before != null && !before.matches("\\d{1,20}_\\d{1,19}_\\d{1,19}")) {
            throw ParleyException.of(ErrorCode.BAD_CURSOR, "before must be a nextCursor from an earlier search.");
        }
        reply(ctx, 200, Addresses.MESSAGE_SEARCH, withPrincipal(ctx).put("q", q.strip()).put("channelId", channelId)
                .put("before", before).put("limit", limit));
    }

    /**
     * GET /presence?userIds=1,2,3 (at most 100): online and last seen, from the hot state, only for the
     * users who share a channel with the caller; the others are left out of the answer.
     */
    private void presence(RoutingContext ctx) {
        String raw = ctx.request().getParam("userIds");
        if (raw == null || raw.isBlank()) {
            throw Input.invalid("userIds is required: a comma-separated list of user ids.");
        }
        io.vertx.core.json.JsonArray ids = new io.vertx.core.json.JsonArray();
        for (String part : raw.split(",")) {
            try {
                long id = Long.parseLong(part.strip());
                if (id <= 0) {
                    throw new NumberFormatException();
                }
                if (!ids.contains(id)) {
                    ids.add(id);
                }
            } catch (NumberFormatException e) {
                throw Input.invalid("userIds must be positive whole numbers separated by commas, not \"" + part + "\".");
            }
        }
        if (ids.size() > 100) {
            throw Input.invalid("Ask for at most 100 users at a time.");
        }
        reply(ctx, 200, Addresses.PRESENCE_QUERY, withPrincipal(ctx).put("userIds", ids));
    }

    private void create(RoutingContext ctx) {
        JsonObject in = body(ctx);
        String kind = Input.string(in, "kind");
        if (!CREATABLE.contains(kind)) {
            throw Input.invalid("kind must be \"public\" or \"private\" (direct channels: POST /api/v1/direct/{userId}).");
        }
        JsonObject req = withPrincipal(ctx).put("kind", kind)
                .put("name", Input.text(Input.optString(in, "name"), "name", 80, true))
                .put("topic", Input.text(Input.optString(in, "topic"), "topic", 250, false))
                .put("memberIds", new io.vertx.core.json.JsonArray(Input.ids(in, "memberIds", config.limits().maxMembersPerCreate())));
        reply(ctx, 201, Addresses.CHANNEL_CREATE, req);
    }

    private void page(RoutingContext ctx) {
        long before = Requests.queryLong(ctx, "before", Long.MAX_VALUE);
        long after = Requests.queryLong(ctx, "after", -1);
        int limit = limit(ctx, config.messages().pageSize());
        if (before != Long.MAX_VALUE && before <= Math.max(after, 0) + 1) {
            throw ParleyException.of(ErrorCode.BAD_CURSOR, after < 0
                    ? "before must be at least 2: there is nothing before seq " + before + "."
                    : "before must be greater than after + 1, or the range is empty.");
        }
        reply(ctx, 200, Addresses.MESSAGE_PAGE, withChannel(ctx).put("before", before).put("after", after).put("limit", limit));
    }

    /**
     * The page size of a history page or a search: {@code absent} when not given; 0 means 1 and more than
     * 50 means 50, but a negative or non-numeric limit is refused (validation_failed), not clamped.
     */
    private static int limit(RoutingContext ctx, int absent) {
        String raw = ctx.request().getParam("limit");
        long limit = absent;
        if (raw != null && !raw.isEmpty()) {
            try {
                limit = Long.parseLong(raw);
            } catch (NumberFormatException e) {
                limit = -1;
            }
        }
        if (limit < 0) {
            throw Input.invalid("limit must be a non-negative whole number (a page holds 1 to 50), not \"" + raw + "\".");
        }
        return (int) Math.max(1, Math.min(50, limit));
    }

    private void send(RoutingContext ctx) {
        JsonObject in = body(ctx);
        String body = Input.body(Input.string(in, "body"), config.messages().maxBodyChars());
        String clientMsgId = in.getValue("clientMsgId") == null ? UUID.randomUUID().toString() : Input.clientMsgId(Input.string(in, "clientMsgId"));
        int wait = sendLimiter.check(Requests.principal(ctx).userId());
        if (wait > 0) {
            throw ParleyException.rateLimited("You are sending messages too fast; slow down.", wait);
        }
        JsonObject req = withChannel(ctx).put("clientMsgId", clientMsgId).put("body", body);
        call(eventBus, Addresses.MESSAGE_SEND, req).onSuccess(m -> {
            boolean created = Boolean.TRUE.equals(m.remove("created"));
            m.remove("type");
            json(ctx, created ? 201 : 200, m);
        }).onFailure(ctx::fail);
    }

    private JsonObject withChannel(RoutingContext ctx) {
        return withPrincipal(ctx).put("channelId", pathId(ctx, "channelId"));
    }

    private void reply(RoutingContext ctx, int status, String address, JsonObject req) {
        Requests.callAny(eventBus, address, req).onSuccess(r -> Requests.json(ctx, status, r)).onFailure(ctx::fail);
    }
}
