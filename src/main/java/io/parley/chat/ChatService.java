package io.parley.chat;

import io.parley.config.ParleyConfig;
import io.parley.domain.Channel;
import io.parley.domain.Membership;
import io.parley.domain.Message;
import io.parley.domain.Principal;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.limits.Quotas;
import io.parley.limits.Quotas.Quota;
import io.parley.persistence.ChannelStore;
import io.parley.persistence.MessageStore;
import io.parley.persistence.UserStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * The rules of channels and messages: who may see, join, post, edit and delete. Every read of a channel's
 * messages requires membership; a private or direct channel is invisible (404) to non-members, a public
 * channel or room is visible but its messages need a join (403). Committed changes are published once on
 * {@code parley.channel.<id>}.
 */
public final class ChatService {

    private final ChannelStore channels;
    private final MessageStore messages;
    private final UserStore users;
    private final Fanout fanout;
    private final io.micrometer.core.instrument.Counter committed;

    private final io.parley.cache.ChatCache cache;
    private final Quotas quotas;
    private final ParleyConfig.Limits limits;

    public ChatService(ChannelStore channels, MessageStore messages, UserStore users, io.parley.cache.ChatCache cache, Fanout fanout,
                       io.micrometer.core.instrument.MeterRegistry registry, Quotas quotas, ParleyConfig.Limits limits) {
        this.cache = cache;
        this.quotas = quotas;
        this.limits = limits;
        this.channels = channels;
        this.messages = messages;
        this.users = users;
        this.fanout = fanout;
        this.committed = registry == null ? null : io.micrometer.core.instrument.Counter.builder("parley.messages.committed")
                .description("Messages committed on this node (HTTP, WebSocket and services)").register(registry);
    }

    /** My channels: from the cache when every channel in it is unchanged, else one query. */
    /**
     * The caller's channel list as the JSON bytes of the response: a cache hit is served as stored, never
     * parsed and encoded again (the list is the hottest read), and a miss is encoded once for both the
     * reply and the cache.
     */
    public Future<Buffer> list(Principal p) {
        return cache.list(p.userId()).compose(look -> look.hit() ? Future.succeededFuture(look.json())
                : channels.list(p.userId()).map(list -> {
                    Buffer json = new JsonObject().put("channels", new JsonArray(list.stream().map(Views::summary).toList())).toBuffer();
                    cache.storeList(p.userId(), look, list.stream().map(s -> s.channel().id()).toList(), json);
                    return json;
                }));
    }

    public Future<JsonObject> create(Principal p, String kind, String name, String topic, List<Long> memberIds) {
        if (p.isGuest()) {
            return Future.failedFuture(forbidden("Guests cannot create channels; sign up to create one."));
        }
        if (memberIds.size() > limits.maxMembersPerCreate()) {
            return Future.failedFuture(ParleyException.of(ErrorCode.VALIDATION, "memberIds may name at most "
                    + limits.maxMembersPerCreate() + " users; invite more after the channel is made."));
        }
        List<Long> affected = new java.util.ArrayList<>(memberIds);
        affected.add(p.userId());
        java.util.Set<Long> others = new java.util.LinkedHashSet<>(memberIds);
        others.remove(p.userId());
        // the same rule as invitations, checked for all named users in one query before anything is created
        Future<Void> allowed = others.isEmpty() ? Future.succeededFuture() : users.kinds(others).compose(kinds -> {
            for (long id : others) {
                String k = kinds.get(id);
                if (k == null) {
                    return Future.failedFuture(ParleyException.of(ErrorCode.VALIDATION, "memberIds names user " + id
                            + ", who does not exist."));
                }
                if ("guest".equals(k)) {
                    return Future.failedFuture(forbidden("Guests can only be in rooms; memberIds names guest " + id
                            + ", who cannot be added to a channel."));
                }
            }
            return Future.succeededFuture();
        });
        String user = String.valueOf(p.userId());
        long invited = memberIds.stream().filter(id -> id != p.userId()).distinct().count();
        // every member added without asking is an invitation, whether at creation or later
        return allowed.compose(x -> quotas.take(Quota.CHANNEL, user, 1, limits.channelsPerUserPerHour(), Quotas.HOUR_MILLIS))
                .compose(v -> quotas.take(Quota.INVITATION, user, invited, limits.invitationsPerUserPerHour(), Quotas.HOUR_MILLIS)
                        .onFailure(t -> quotas.giveBack(Quota.CHANNEL, user, 1, Quotas.HOUR_MILLIS)))
                .compose(v -> channels.create(kind, name, topic, p.userId(), memberIds)
                        .onFailure(t -> {
                            quotas.giveBack(Quota.CHANNEL, user, 1, Quotas.HOUR_MILLIS);
                            quotas.giveBack(Quota.INVITATION, user, invited, Quotas.HOUR_MILLIS);
                        }))
                .compose(id -> cache.changed(List.of(id), List.of(id), affected).map(id))
                .recover(t -> t instanceof PgException pg && "23503".equals(pg.getSqlState())
                        ? Future.failedFuture(ParleyException.of(ErrorCode.VALIDATION, "memberIds names a user that does not exist."))
                        : Future.failedFuture(t))
                .compose(id -> channels.forUser(id, p.userId()))
                .map(c -> Views.channel(c.orElseThrow()));
    }

    public Future<JsonObject> get(Principal p, long channelId) {
        return visible(p, channelId).map(Views::channel);
    }

    /**
     * The access check of a whole WebSocket subscribe frame in one query, by the rules of {@link #member}:
     * {@code {"allowed":[{id, lastSeq}], "failed":[{id, code, message}]}}, in the order asked.
     */
    public Future<JsonObject> accessMany(Principal p, List<Long> channelIds) {
        return channels.access(channelIds, p.userId()).map(found -> {
            JsonArray allowed = new JsonArray();
            JsonArray failed = new JsonArray();
            for (long id : channelIds) {
                io.parley.persistence.ChannelStore.Access a = found.get(id);
                ParleyException refusal = a == null || !a.active() || (!a.isPublicLike() && a.role() == null) ? notFound(id)
                        : a.role() == null ? ParleyException.of(ErrorCode.NOT_A_MEMBER, "You are not a member of channel " + id + "; join it first.")
                        : a.banned() ? ParleyException.of(ErrorCode.BANNED, "You are banned from this channel.")
                        : null;
                if (refusal == null) {
                    allowed.add(new JsonObject().put("id", id).put("lastSeq", a.lastSeq()));
                } else {
                    failed.add(new JsonObject().put("id", id).put("code", refusal.code().slug).put("message", refusal.getMessage()));
                }
            }
            return new JsonObject().put("allowed", allowed).put("failed", failed);
        });
    }

    /** The newest seq of channels the caller was already allowed to subscribe to: {@code {"<id>": lastSeq}}. */
    public Future<JsonObject> positions(List<Long> channelIds) {
        return channels.positions(channelIds).map(m -> {
            JsonObject out = new JsonObject();
            m.forEach((id, seq) -> out.put(String.valueOf(id), seq));
            return out;
        });
    }

    public Future<JsonObject> addMember(Principal p, long channelId, Long userId) {
        if (userId == null || userId == p.userId()) {
            return visible(p, channelId).compose(c -> join(p, c));
        }
        return member(p, channelId).compose(c -> {
            if (c.kind() == io.parley.domain.ChannelKind.DIRECT) {
                return Future.failedFuture(forbidden("A direct channel has exactly two members; nobody can be invited."));
            }
            if (c.kind() == io.parley.domain.ChannelKind.PRIVATE && !c.membership().canModerate() && !p.isAdmin()) {
                return Future.failedFuture(forbidden("Only the owner or a moderator can invite to a private channel."));
            }
            return quotas.take(Quota.INVITATION, String.valueOf(p.userId()), 1, limits.invitationsPerUserPerHour(), Quotas.HOUR_MILLIS)
                    .compose(v -> users.byId(userId)).compose(u -> u.isEmpty()
                    ? Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "User " + userId + " was not found."))
                    : u.get().isGuest() && c.kind() != io.parley.domain.ChannelKind.ROOM
                    ? Future.failedFuture(forbidden("Guests can only be in rooms; they cannot be invited to channels."))
                    : channels.addMember(channelId, userId, "member")
                    .compose(added -> cache.changed(List.of(channelId), List.of(channelId), List.of(userId)).map(added))
                    .map(added -> new JsonObject().put("channelId", channelId).put("userId", userId).put("added", added)));
        });
    }

    private Future<JsonObject> join(Principal p, Channel c) {
        Membership m = c.membership();
        if (m != null) {
            if (m.banned()) {
                return Future.failedFuture(ParleyException.of(ErrorCode.BANNED, "You are banned from this channel."));
            }
            return Future.succeededFuture(new JsonObject().put("channelId", c.id()).put("userId", p.userId()).put("added", false));
        }
        if (!c.isPublicLike()) {
            return Future.failedFuture(forbidden("This channel is joined by invitation only."));
        }
        if (p.isGuest() && c.kind() != io.parley.domain.ChannelKind.ROOM) {
            return Future.failedFuture(forbidden("Guests can join rooms only; sign up to join channels."));
        }
        return channels.addMember(c.id(), p.userId(), "member")
                .compose(added -> cache.changed(List.of(c.id()), List.of(c.id()), List.of(p.userId())).map(added))
                .map(added -> new JsonObject().put("channelId", c.id()).put("userId", p.userId()).put("added", added));
    }

    public Future<Void> removeMember(Principal p, long channelId, long userId) {
        return member(p, channelId).compose(c -> {
            if (userId != p.userId() && !c.membership().canModerate() && !p.isAdmin()) {
                return Future.failedFuture(forbidden("Only the owner or a moderator can remove other members."));
            }
            return channels.forUser(channelId, userId).compose(target -> {
                Membership tm = target.map(Channel::membership).orElse(null);
                if (tm == null) {
                    return Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "User " + userId + " is not a member of this channel."));
                }
                if (userId != p.userId() && tm.role() == io.parley.domain.MemberRole.OWNER && !p.isAdmin()) {
                    return Future.failedFuture(forbidden("The owner of a channel cannot be removed."));
                }
                return channels.removeMember(channelId, userId)
                        .compose(removed -> cache.changed(List.of(channelId), List.of(channelId), List.of(userId)).map(removed))
                        .map(removed -> {
                    if (removed) {
                        // Sockets of the removed user drop the channel at once: no reading a channel you are not in.
                        JsonObject event = new JsonObject().put("type", "removed").put("channelId", channelId).put("userId", userId);
                        fanout.publish(channelId, event.toBuffer(),
                                new DeliveryOptions().addHeader("event", "removed").addHeader("userId", String.valueOf(userId)));
                    }
                    return null;
                });
            });
        });
    }

    public Future<JsonObject> direct(Principal p, long otherUserId) {
        if (p.isGuest()) {
            return Future.failedFuture(forbidden("Guests cannot start direct conversations; sign up first."));
        }
        if (otherUserId == p.userId()) {
            return Future.failedFuture(ParleyException.of(ErrorCode.VALIDATION, "A direct channel needs another user than yourself."));
        }
        return users.byId(otherUserId).compose(other -> {
            if (other.isEmpty() || other.get().isGuest()) {
                return Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "User " + otherUserId + " was not found."));
            }
            // only a new conversation counts: opening an existing one again is free
            return channels.directId(p.userId(), otherUserId).compose(existing -> existing.isPresent() ? Future.succeededFuture()
                            : quotas.take(Quota.DIRECT, String.valueOf(p.userId()), 1, limits.directChannelsPerUserPerHour(),
                            Quotas.HOUR_MILLIS))
                    .compose(v -> channels.direct(p.userId(), otherUserId, "direct"))
                    .compose(id -> cache.changed(List.of(id), List.of(id), List.of(p.userId(), otherUserId)).map(id))
                    .compose(id -> channels.forUser(id, p.userId()))
                    .map(c -> Views.channel(c.orElseThrow()).put("peer", Views.user(other.get())));
        });
    }

    /** before/after are exclusive cursors (MAX / -1 = none); the page is newest first. An after cursor alone pages forward. */
    /** A page of history as the JSON bytes of the response (served from the cache as stored, like the list). */
    public Future<Buffer> page(Principal p, long channelId, long before, long after, int limit) {
        boolean forward = after >= 0 && before == Long.MAX_VALUE;
        String params = before + ":" + after + ":" + limit;
        return cache.page(channelId, p.userId(), params).compose(look -> look.hit() ? Future.succeededFuture(look.json())
                : messages.page(channelId, p.userId(), before, after, limit + 1, !forward).compose(list -> {
                    if (list.isEmpty()) {
                        return member(p, channelId).map(c -> pageJson(List.of(), false).toBuffer());
                    }
                    boolean hasMore = list.size() > limit;
                    List<Message> page = hasMore ? list.subList(0, limit) : list;
                    if (forward) {
                        page = new java.util.ArrayList<>(page);
                        java.util.Collections.reverse(page);
                    }
                    Buffer json = pageJson(page, hasMore).toBuffer();
                    // a non-empty page proves membership in good standing: cache both
                    cache.storePage(channelId, p.userId(), look, params, json);
                    return Future.succeededFuture(json);
                }));
    }

    /**
     * Full-text search over the channels the caller may read (members only), newest first. The cursor is
     * the last result's (createdAt, channelId, seq); results are cached while none of the caller's
     * channels changes.
     */
    public Future<Buffer> search(Principal p, String query, Long channelId, String cursor, int limit) {
        java.time.OffsetDateTime beforeTime = null;
        long beforeChannel = 0;
        long beforeSeq = 0;
        if (cursor != null) {
            String[] parts = cursor.split("_");
            try {
                beforeTime = java.time.Instant.EPOCH.plus(Long.parseLong(parts[0]), java.time.temporal.ChronoUnit.MICROS)
                        .atOffset(java.time.ZoneOffset.UTC);
                beforeChannel = Long.parseLong(parts[1]);
                beforeSeq = Long.parseLong(parts[2]);
            } catch (RuntimeException e) {
                return Future.failedFuture(ParleyException.of(ErrorCode.BAD_CURSOR, "before is not a cursor this server gave out."));
            }
        }
        java.time.OffsetDateTime t = beforeTime;
        long bc = beforeChannel;
        long bs = beforeSeq;
        String key = query + "|" + channelId + "|" + cursor + "|" + limit;
        return cache.search(p.userId(), key).compose(look -> look.hit() ? Future.succeededFuture(look.json())
                : messages.search(p.userId(), query, channelId, t, bc, bs, limit + 1).compose(found -> {
                    Future<Void> access = found.isEmpty() && channelId != null ? member(p, channelId).mapEmpty() : Future.succeededFuture();
                    return access.map(v -> {
                        boolean more = found.size() > limit;
                        List<MessageStore.Found> page = more ? found.subList(0, limit) : found;
                        JsonArray results = new JsonArray(page.stream().map(f -> Views.message(f.message())
                                .put("channelName", f.channelName())).toList());
                        Message last = page.isEmpty() ? null : page.get(page.size() - 1).message();
                        String next = more ? micros(last.createdAt()) + "_" + last.channelId() + "_" + last.seq() : null;
                        Buffer json = new JsonObject().put("results", results).put("nextCursor", next).toBuffer();
                        cache.storeSearch(p.userId(), look, key, json);
                        return json;
                    });
                }));
    }

    private static long micros(java.time.OffsetDateTime t) {
        java.time.Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000 + i.getNano() / 1000;
    }

    /** Oldest first, for replays: messages after {@code after}, at most {@code limit}. */
    public Future<JsonArray> replay(Principal p, long channelId, long after, int limit) {
        return messages.page(channelId, p.userId(), Long.MAX_VALUE, after, limit, false).compose(list -> list.isEmpty()
                ? member(p, channelId).map(c -> new JsonArray())
                : Future.succeededFuture(new JsonArray(list.stream().map(Views::messageEvent).toList())));
    }

    private static JsonObject pageJson(List<Message> page, boolean hasMore) {
        return new JsonObject().put("messages", new JsonArray(page.stream().map(Views::message).toList())).put("hasMore", hasMore);
    }

    public Future<JsonObject> send(Principal p, long channelId, String clientMsgId, String body) {
        return messages.send(channelId, p.userId(), clientMsgId, body).compose(result -> {
            if (result.isEmpty()) {
                return whyNoSend(p, channelId);
            }
            Message m = result.get().message();
            JsonObject event = Views.messageEvent(m);
            if (!result.get().created()) {
                return Future.succeededFuture(event.put("created", false));
            }
            publish(m, event, "message");
            if (committed != null) {
                committed.increment();
            }
            // acked only once cached pages and lists can no longer show the channel without it
            return cache.changed(List.of(channelId), List.of(), List.of(p.userId())).map(v -> event.put("created", true));
        });
    }

    private Future<JsonObject> whyNoSend(Principal p, long channelId) {
        return member(p, channelId).compose(c -> {
            if (c.membership().isMuted(OffsetDateTime.now())) {
                return Future.failedFuture(ParleyException.of(ErrorCode.MUTED,
                        "You are muted in this channel until " + Views.time(c.membership().mutedUntil()) + "."));
            }
            return Future.failedFuture(ParleyException.of(ErrorCode.CONFLICT, "The message could not be posted; try again."));
        });
    }

    public Future<JsonObject> edit(Principal p, long channelId, long seq, String body) {
        return authorOrModerator(p, channelId, seq)
                .compose(m -> messages.edit(channelId, seq, body))
                .compose(m -> m.isEmpty()
                        ? Future.failedFuture(ParleyException.of(ErrorCode.CONFLICT, "A deleted message cannot be edited."))
                        : Future.succeededFuture(m.get()))
                .compose(m -> {
                    publish(m, Views.editedEvent(m), "edited");
                    return cache.changed(List.of(channelId), List.of(), List.of()).map(v -> Views.message(m));
                });
    }

    public Future<JsonObject> delete(Principal p, long channelId, long seq) {
        return authorOrModerator(p, channelId, seq).compose(existing -> {
            if (existing.deleted()) {
                return Future.succeededFuture(Views.message(existing));
            }
            return messages.delete(channelId, seq).compose(m -> {
                Message deleted = m.orElse(existing);
                if (m.isPresent()) {
                    publish(deleted, Views.deletedEvent(deleted), "deleted");
                }
                return cache.changed(List.of(channelId), List.of(), List.of()).map(v -> Views.message(deleted));
            });
        });
    }

    /**
     * Moves the read marker forward. In direct and private channels every member's connections see it
     * move (a read receipt); in public channels and rooms only the user's own other connections do.
     */
    public Future<JsonObject> read(Principal p, long channelId, long seq) {
        return messages.markRead(channelId, p.userId(), seq).compose(r -> {
            if (r.isEmpty()) {
                return member(p, channelId).map(c -> new JsonObject().put("channelId", channelId)
                        .put("lastReadSeq", c.membership().lastReadSeq()));
            }
            long marker = r.get().lastReadSeq();
            boolean receipts = "direct".equals(r.get().channelKind()) || "private".equals(r.get().channelKind());
            JsonObject event = new JsonObject().put("type", "read").put("channelId", channelId).put("userId", p.userId())
                    .put("lastReadSeq", marker);
            fanout.publish(channelId, event.toBuffer(), new DeliveryOptions().addHeader("event", "read")
                    .addHeader("userId", String.valueOf(p.userId())).addHeader("scope", receipts ? "members" : "self"));
            return cache.changed(List.of(), List.of(), List.of(p.userId()))
                    .map(v -> new JsonObject().put("channelId", channelId).put("lastReadSeq", marker));
        });
    }

    private Future<Message> authorOrModerator(Principal p, long channelId, long seq) {
        return member(p, channelId).compose(c -> messages.bySeq(channelId, seq).compose(m -> {
            if (m.isEmpty()) {
                return Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "Message " + seq + " was not found in this channel."));
            }
            if (m.get().senderId() != p.userId() && !c.membership().canModerate() && !p.isAdmin()) {
                return Future.failedFuture(forbidden("Only the author or a moderator can change this message."));
            }
            return Future.succeededFuture(m.get());
        }));
    }

    /** The channel if the caller may see it: members always, anyone for public channels and rooms. */
    private Future<Channel> visible(Principal p, long channelId) {
        return channels.forUser(channelId, p.userId()).compose(c -> {
            if (c.isEmpty() || !c.get().active() || (!c.get().isPublicLike() && c.get().membership() == null)) {
                return Future.failedFuture(notFound(channelId));
            }
            return Future.succeededFuture(c.get());
        });
    }

    /** The channel if the caller is a member in good standing. */
    private Future<Channel> member(Principal p, long channelId) {
        return visible(p, channelId).compose(c -> {
            if (c.membership() == null) {
                return Future.failedFuture(ParleyException.of(ErrorCode.NOT_A_MEMBER,
                        "You are not a member of channel " + channelId + "; join it first."));
            }
            if (c.membership().banned()) {
                return Future.failedFuture(ParleyException.of(ErrorCode.BANNED, "You are banned from this channel."));
            }
            return Future.succeededFuture(c);
        });
    }

    private void publish(Message m, JsonObject event, String kind) {
        DeliveryOptions options = new DeliveryOptions().addHeader("event", kind).addHeader("seq", String.valueOf(m.seq()));
        fanout.publish(m.channelId(), event.toBuffer(), options);
    }

    private static ParleyException forbidden(String message) {
        return ParleyException.of(ErrorCode.FORBIDDEN, message);
    }

    private static ParleyException notFound(long channelId) {
        return ParleyException.of(ErrorCode.NOT_FOUND, "Channel " + channelId + " was not found.");
    }
}
