package io.parley.edge.http;

import io.parley.bus.ChatApi;
import io.parley.bus.Commands;
import io.parley.bus.PresenceApi;
import io.parley.bus.ReadsApi;
import io.parley.bus.Views;
import io.parley.config.ParleyConfig;
import io.parley.domain.ChannelKind;
import io.parley.domain.MemberRole;
import io.parley.edge.Input;
import io.parley.edge.Sending;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.parley.edge.http.Requests.body;
import static io.parley.edge.http.Requests.pathId;
import static io.parley.edge.http.Requests.principal;
import static io.parley.edge.http.Requests.reply;

/** Channels, members, direct channels, messages, read markers, presence and search. */
final class ChannelRoutes {

    private final ChatApi chat;
    private final ReadsApi reads;
    private final PresenceApi presence;
    private final Sending sending;
    private final ParleyConfig config;

    ChannelRoutes(ChatApi chat, ReadsApi reads, PresenceApi presence, Sending sending, ParleyConfig config) {
        this.chat = chat;
        this.reads = reads;
        this.presence = presence;
        this.sending = sending;
        this.config = config;
    }

    void mount(Router api, Handler<RoutingContext> auth) {
        api.get("/channels").handler(auth).handler(ctx -> reply(ctx, 200, reads.channels(principal(ctx)), Function.identity()));
        api.post("/channels").handler(auth).handler(this::create);
        api.get("/channels/:channelId").handler(auth).handler(ctx ->
                reply(ctx, 200, chat.get(principal(ctx), channelId(ctx)), Views::channel));
        api.post("/channels/:channelId/members").handler(auth).handler(ctx ->
                reply(ctx, 200, chat.addMember(principal(ctx), channelId(ctx), Input.optId(Requests.optionalBody(ctx), "userId")),
                        Views::joined));
        api.delete("/channels/:channelId/members/:userId").handler(auth).handler(ctx ->
                chat.removeMember(principal(ctx), channelId(ctx), pathId(ctx, "userId"))
                        .onSuccess(r -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail));
        api.patch("/channels/:channelId/members/:userId").handler(auth).handler(this::changeMember);
        api.patch("/channels/:channelId").handler(auth).handler(this::settings);
        api.get("/channels/:channelId/moderation").handler(auth).handler(ctx -> {
            int limit = limit(ctx, 50);
            long after = Math.max(0, Requests.queryLong(ctx, "after", 0));
            reply(ctx, 200, chat.moderationQueue(principal(ctx), channelId(ctx), after, limit + 1), list -> {
                boolean more = list.size() > limit;
                List<io.parley.domain.Message> page = more ? list.subList(0, limit) : list;
                return new JsonObject().put("messages", new io.vertx.core.json.JsonArray(page.stream().map(Views::message).toList()))
                        .put("hasMore", more);
            });
        });
        api.post("/channels/:channelId/messages/:seq/approve").handler(auth).handler(ctx -> decide(ctx, true));
        api.post("/channels/:channelId/messages/:seq/reject").handler(auth).handler(ctx -> decide(ctx, false));
        api.get("/channels/:channelId/moderation/log").handler(auth).handler(ctx -> {
            int limit = limit(ctx, 50);
            long before = Requests.queryLong(ctx, "before", 0);
            reply(ctx, 200, chat.moderationLog(principal(ctx), channelId(ctx), before, limit), l -> Views.moderationLog(l, limit));
        });
        api.post("/direct/:userId").handler(auth).handler(ctx ->
                reply(ctx, 200, chat.direct(principal(ctx), pathId(ctx, "userId")), Views::direct));
        api.get("/channels/:channelId/messages").handler(auth).handler(this::page);
        api.post("/channels/:channelId/messages").handler(auth).handler(this::send);
        api.patch("/channels/:channelId/messages/:seq").handler(auth).handler(ctx -> reply(ctx, 200,
                sending.edit(principal(ctx), channelId(ctx), pathId(ctx, "seq"), body(ctx)), Views::message));
        api.delete("/channels/:channelId/messages/:seq").handler(auth).handler(ctx -> reply(ctx, 200,
                sending.delete(principal(ctx), channelId(ctx), pathId(ctx, "seq")), Views::message));
        api.get("/presence").handler(auth).handler(this::presence);
        api.get("/search").handler(auth).handler(this::search);
        api.post("/channels/:channelId/read").handler(auth).handler(ctx -> reply(ctx, 200,
                chat.read(principal(ctx), channelId(ctx), Input.id(body(ctx), "seq")), Views::read));
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
        String language = ctx.request().getParam("language");
        if (language != null && language.isEmpty()) {
            language = null;
        }
        if (language != null) {
            Input.language(language);
        }
        reply(ctx, 200, reads.search(principal(ctx), new Commands.SearchQuery(q.strip(), channelId, language, before, limit,
                Requests.clientAddress(ctx))), Function.identity());
    }

    /**
     * GET /presence?userIds=1,2,3 (at most 100): online and last seen, from the hot state, only for the
     * users who share a channel with the caller; the others are left out of the answer.
     */
    private void presence(RoutingContext ctx) {
        List<Long> ids = Requests.queryIds(ctx, "userIds", 100);
        if (ids.isEmpty()) {
            throw Input.invalid("userIds is required: a comma-separated list of user ids.");
        }
        reply(ctx, 200, presence.query(principal(ctx), ids), Views::presence);
    }

    /**
     * PATCH /channels/{id}: retentionDays (owner, admin) and/or premoderation (moderators, owner, admin);
     * the two are checked before either is applied.
     */
    private void settings(RoutingContext ctx) {
        JsonObject in = body(ctx);
        for (String key : in.fieldNames()) {
            if (!key.equals("retentionDays") && !key.equals("premoderation")) {
                throw Input.invalid("Only retentionDays and premoderation can be changed here, not \"" + (key.length() <= 32 ? key : key.substring(0, 32) + "…") + "\".");
            }
        }
        if (in.isEmpty()) {
            throw Input.invalid("Give retentionDays (a whole number of days, or null) and/or premoderation (off, guests or all).");
        }
        Integer days = in.containsKey("retentionDays") ? Requests.retentionDays(in) : null;
        String mode = null;
        if (in.containsKey("premoderation")) {
            mode = in.getValue("premoderation") instanceof String m ? m : "";
            if (!mode.equals("off") && !mode.equals("guests") && !mode.equals("all")) {
                throw Input.invalid("premoderation must be \"off\", \"guests\" (hold guests' messages for a moderator) or \"all\".");
            }
        }
        long channelId = channelId(ctx);
        Future<io.parley.domain.Channel> done = in.containsKey("retentionDays")
                ? chat.setRetention(principal(ctx), channelId, days) : Future.succeededFuture();
        String premoderation = mode;
        if (mode != null) {
            done = done.compose(c -> chat.setPremoderation(principal(ctx), channelId, premoderation));
        }
        reply(ctx, 200, done, Views::channel);
    }

    /** POST /channels/{id}/messages/{seq}/approve and …/reject, with an optional {"reason": "…"}. */
    private void decide(RoutingContext ctx, boolean approve) {
        JsonObject in = Requests.optionalBody(ctx);
        String reason = Input.text(Input.optString(in, "reason"), "reason", 500, false);
        reply(ctx, 200, chat.decide(principal(ctx), channelId(ctx), pathId(ctx, "seq"), approve,
                reason == null || reason.isEmpty() ? null : reason), Views::message);
    }

    /** PATCH /channels/{id}/members/{userId}: role, mutedUntil, banned, reason (moderators, owners, admins). */
    private void changeMember(RoutingContext ctx) {
        JsonObject in = body(ctx);
        long userId = pathId(ctx, "userId");
        MemberRole role = null;
        String rawRole = Input.optString(in, "role");
        if (rawRole != null) {
            if (!rawRole.equals("owner") && !rawRole.equals("moderator") && !rawRole.equals("member")) {
                throw Input.invalid("role must be \"owner\" (hand the channel over), \"moderator\" or \"member\".");
            }
            role = MemberRole.of(rawRole);
        }
        boolean muteGiven = in.containsKey("mutedUntil");
        OffsetDateTime mutedUntil = null;
        if (muteGiven && in.getValue("mutedUntil") != null) {
            try {
                mutedUntil = OffsetDateTime.parse(Input.string(in, "mutedUntil"));
            } catch (java.time.format.DateTimeParseException e) {
                throw Input.invalid("mutedUntil must be a date and time with its offset, like 2030-01-31T18:00:00Z, or null to unmute.");
            }
            OffsetDateTime now = OffsetDateTime.now();
            if (!mutedUntil.isAfter(now) || mutedUntil.isAfter(now.plusYears(1))) {
                throw Input.invalid("mutedUntil must be in the future and at most a year away (null unmutes).");
            }
        }
        Boolean banned = Input.optBoolean(in, "banned");
        String reason = Input.text(Input.optString(in, "reason"), "reason", 500, false);
        if (role == null && !muteGiven && banned == null) {
            throw Input.invalid("Give role, mutedUntil and/or banned: nothing else of a member can be changed.");
        }
        reply(ctx, 200, chat.changeMember(principal(ctx), channelId(ctx), userId,
                        new Commands.MemberChange(role, muteGiven, mutedUntil, banned, reason == null || reason.isEmpty() ? null : reason)),
                m -> Views.member(channelId(ctx), userId, m));
    }

    private void create(RoutingContext ctx) {
        JsonObject in = body(ctx);
        String kind = Input.string(in, "kind");
        if (!kind.equals("public") && !kind.equals("private")) {
            throw Input.invalid("kind must be \"public\" or \"private\" (direct channels: POST /api/v1/direct/{userId}).");
        }
        Commands.NewChannel channel = new Commands.NewChannel(ChannelKind.of(kind),
                Input.text(Input.optString(in, "name"), "name", 80, true),
                Input.text(Input.optString(in, "topic"), "topic", 250, false),
                Input.ids(in, "memberIds", config.limits().maxMembersPerCreate()));
        reply(ctx, 201, chat.create(principal(ctx), channel), Views::channel);
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
        reply(ctx, 200, reads.page(principal(ctx), new Commands.PageQuery(channelId(ctx), before, after, limit)), Function.identity());
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
        sending.send(principal(ctx), channelId(ctx), body(ctx), false)
                .onSuccess(r -> Requests.json(ctx, r.created() ? 201 : 200, Views.message(r.message())))
                .onFailure(ctx::fail);
    }

    private static long channelId(RoutingContext ctx) {
        return pathId(ctx, "channelId");
    }

}
