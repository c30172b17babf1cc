package io.parley.chat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.bus.ChatApi;
import io.parley.bus.ChatEvents;
import io.parley.bus.Commands;
import io.parley.cache.ChatCache;
import io.parley.config.ParleyConfig;
import io.parley.domain.Channel;
import io.parley.domain.ChannelKind;
import io.parley.domain.DirectChannel;
import io.parley.domain.Joined;
import io.parley.domain.MemberRole;
import io.parley.domain.Membership;
import io.parley.domain.Message;
import io.parley.domain.ModerationAction;
import io.parley.domain.Principal;
import io.parley.domain.ReadPosition;
import io.parley.domain.SendResult;
import io.parley.domain.SubscribeCheck;
import io.parley.domain.UserKind;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.limits.Quotas;
import io.parley.limits.Quotas.Quota;
import io.parley.persistence.ChannelStore;
import io.parley.persistence.MessageStore;
import io.parley.persistence.UserStore;
import io.vertx.core.Future;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.parley.chat.Members.forbidden;

/**
 * The rules of channels and messages: who may see, join, post, edit and delete (see {@link Members} for
 * the access check). Every committed change is announced once through {@link ChatEvents}, and the cached
 * reads it touches are invalidated before the caller is answered, so an acknowledged message is never
 * missing from a page served afterwards.
 */
public final class ChatRules implements ChatApi {

    private final ChannelStore channels;
    private final MessageStore messages;
    private final UserStore users;
    private final Members members;
    private final ChatEvents events;
    private final ChatCache cache;
    private final Quotas quotas;
    private final ParleyConfig.Limits limits;
    private final Counter committed;

    public ChatRules(ChannelStore channels, MessageStore messages, UserStore users, ChatCache cache, ChatEvents events,
                     MeterRegistry registry, Quotas quotas, ParleyConfig.Limits limits) {
        this.channels = channels;
        this.messages = messages;
        this.users = users;
        this.members = new Members(channels);
        this.events = events;
        this.cache = cache;
        this.quotas = quotas;
        this.limits = limits;
        this.committed = Counter.builder("parley.messages.committed")
                .description("Messages committed on this node (HTTP, WebSocket and services)").register(registry);
    }

    @Override
    public Future<Channel> create(Principal p, Commands.NewChannel c) {
        if (p.isGuest()) {
            return Future.failedFuture(forbidden("Guests cannot create channels; sign up to create one."));
        }
        List<Long> memberIds = c.memberIds();
        if (memberIds.size() > limits.maxMembersPerCreate()) {
            return Future.failedFuture(ParleyException.of(ErrorCode.VALIDATION, "memberIds may name at most "
                    + limits.maxMembersPerCreate() + " users; invite more after the channel is made."));
        }
        List<Long> affected = new ArrayList<>(memberIds);
        affected.add(p.userId());
        Set<Long> others = new LinkedHashSet<>(memberIds);
        others.remove(p.userId());
        // the same rule as invitations, checked for all named users in one query before anything is created
        Future<Void> allowed = others.isEmpty() ? Future.succeededFuture() : users.kinds(others).compose(kinds -> {
            for (long id : others) {
                UserKind k = kinds.get(id);
                if (k == null) {
                    return Future.failedFuture(ParleyException.of(ErrorCode.VALIDATION, "memberIds names user " + id
                            + ", who does not exist."));
                }
                if (k == UserKind.GUEST) {
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
                .compose(v -> channels.create(c.kind(), c.name(), c.topic(), p.userId(), memberIds)
                        .onFailure(t -> {
                            quotas.giveBack(Quota.CHANNEL, user, 1, Quotas.HOUR_MILLIS);
                            quotas.giveBack(Quota.INVITATION, user, invited, Quotas.HOUR_MILLIS);
                        }))
                .compose(id -> cache.changed(List.of(id), List.of(id), affected).map(id))
                .compose(id -> {
                    if (!others.isEmpty()) {
                        events.added(id, List.copyOf(others));
                    }
                    return channels.forUser(id, p.userId());
                })
                .map(found -> found.orElseThrow());
    }

    @Override
    public Future<Channel> get(Principal p, long channelId) {
        return members.visible(p, channelId);
    }

    @Override
    public Future<SubscribeCheck> access(Principal p, List<Long> channelIds) {
        return channels.access(channelIds, p.userId()).map(found -> {
            List<SubscribeCheck.Allowed> allowed = new ArrayList<>();
            List<SubscribeCheck.Refused> refused = new ArrayList<>();
            for (long id : channelIds) {
                ChannelStore.Access a = found.get(id);
                // a room is read without joining (its messages are public, its writing is for members)
                ParleyException refusal = a == null || (!a.isPublicLike() && a.role() == null) ? Members.notFound(id)
                        : !a.active() ? Members.closed(id)
                        : a.role() == null && !"room".equals(a.kind()) ? Members.notAMember(id)
                        : a.banned() ? Members.banned()
                        : null;
                if (refusal == null) {
                    allowed.add(new SubscribeCheck.Allowed(id, a.lastSeq(), p.isAdmin() || a.moderates(), a.lastDecisionSeq()));
                } else {
                    refused.add(new SubscribeCheck.Refused(id, refusal.code(), refusal.getMessage()));
                }
            }
            return new SubscribeCheck(allowed, refused);
        });
    }

    @Override
    public Future<Map<Long, Long>> positions(List<Long> channelIds) {
        return channels.positions(channelIds);
    }

    @Override
    public Future<Joined> addMember(Principal p, long channelId, Long userId) {
        if (userId == null || userId == p.userId()) {
            return members.visible(p, channelId).compose(c -> join(p, c));
        }
        return members.member(p, channelId).compose(c -> {
            if (c.kind() == ChannelKind.DIRECT) {
                return Future.failedFuture(forbidden("A direct channel has exactly two members; nobody can be invited."));
            }
            if (c.kind() == ChannelKind.PRIVATE && !c.membership().canModerate() && !p.isAdmin()) {
                return Future.failedFuture(forbidden("Only the owner or a moderator can invite to a private channel."));
            }
            return quotas.take(Quota.INVITATION, String.valueOf(p.userId()), 1, limits.invitationsPerUserPerHour(), Quotas.HOUR_MILLIS)
                    .compose(v -> users.byId(userId)).compose(u -> u.isEmpty()
                    ? Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "User " + userId + " was not found."))
                    : u.get().isGuest() && c.kind() != ChannelKind.ROOM
                    ? Future.failedFuture(forbidden("Guests can only be in rooms; they cannot be invited to channels."))
                    : channels.addMember(channelId, userId, MemberRole.MEMBER)
                    .compose(added -> cache.changed(List.of(channelId), List.of(channelId), List.of(userId)).map(added))
                    .map(added -> {
                        if (added) {
                            events.added(channelId, List.of(userId));
                        }
                        return new Joined(channelId, userId, added);
                    }));
        });
    }

    private Future<Joined> join(Principal p, Channel c) {
        Membership m = c.membership();
        if (m != null) {
            return m.banned() ? Future.failedFuture(Members.banned()) : Future.succeededFuture(new Joined(c.id(), p.userId(), false));
        }
        if (!c.isPublicLike()) {
            return Future.failedFuture(forbidden("This channel is joined by invitation only."));
        }
        if (p.isGuest() && c.kind() != ChannelKind.ROOM) {
            return Future.failedFuture(forbidden("Guests can join rooms only; sign up to join channels."));
        }
        return channels.addMember(c.id(), p.userId(), MemberRole.MEMBER)
                .compose(added -> cache.changed(List.of(c.id()), List.of(c.id()), List.of(p.userId())).map(added))
                .map(added -> new Joined(c.id(), p.userId(), added));
    }

    @Override
    public Future<Void> removeMember(Principal p, long channelId, long userId) {
        Future<Channel> allowed = userId == p.userId() ? members.member(p, channelId)
                : members.visible(p, channelId).compose(c -> moderates(p, c).compose(mod -> mod ? Future.succeededFuture(c)
                        : c.membership() == null ? Future.failedFuture(Members.notAMember(channelId))
                        : c.membership().banned() ? Future.failedFuture(Members.banned())
                        : Future.failedFuture(forbidden("Only the owner or a moderator can remove other members."))));
        return allowed.compose(c -> {
            return channels.forUser(channelId, userId).compose(target -> {
                Membership tm = target.map(Channel::membership).orElse(null);
                if (tm == null) {
                    return Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "User " + userId + " is not a member of this channel."));
                }
                if (userId != p.userId() && tm.role() == MemberRole.OWNER && !p.isAdmin()) {
                    return Future.failedFuture(forbidden("The owner of a channel cannot be removed."));
                }
                return channels.removeMember(channelId, userId)
                        .compose(removed -> cache.changed(List.of(channelId), List.of(channelId), List.of(userId)).map(removed))
                        .map(removed -> {
                            if (removed) {
                                // sockets of the removed user drop the channel at once: no reading a channel you are not in
                                events.removed(channelId, userId);
                            }
                            return null;
                        });
            });
        });
    }

    @Override
    public Future<DirectChannel> direct(Principal p, long otherUserId) {
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
            return channels.directId(p.userId(), otherUserId).compose(existing -> (existing.isPresent() ? Future.<Void>succeededFuture()
                            : quotas.take(Quota.DIRECT, String.valueOf(p.userId()), 1, limits.directChannelsPerUserPerHour(),
                            Quotas.HOUR_MILLIS))
                            .compose(v -> channels.direct(p.userId(), otherUserId, "direct"))
                            .compose(id -> cache.changed(List.of(id), List.of(id), List.of(p.userId(), otherUserId)).map(id))
                            .map(id -> {
                                if (existing.isEmpty()) {
                                    // only a new conversation is announced: opening it again cannot keep the other's client busy
                                    events.added(id, List.of(otherUserId));
                                }
                                return id;
                            }))
                    .compose(id -> channels.forUser(id, p.userId()))
                    .map(c -> new DirectChannel(c.orElseThrow(), other.get()));
        });
    }

    @Override
    public Future<SendResult> send(Principal p, Commands.Post post) {
        long channelId = post.channelId();
        return messages.send(channelId, p.userId(), post.clientMsgId(), post.body(), p.isGuest(), p.isAdmin()).compose(result -> {
            if (result.isEmpty()) {
                return whyNoSend(p, channelId);
            }
            if (!result.get().created()) {
                return Future.succeededFuture(result.get());
            }
            events.message(result.get().message());
            List<Long> mentioned = result.get().mentioned();
            if (!mentioned.isEmpty()) {
                events.mention(channelId, result.get().message().seq(), p.userId(), mentioned);
            }
            committed.increment();
            List<Long> lists = new ArrayList<>(1 + mentioned.size());
            lists.add(p.userId());
            lists.addAll(mentioned);
            // acked only once cached pages and lists can no longer show the channel without it
            return cache.changed(List.of(channelId), List.of(), lists).map(result.get());
        });
    }

    private Future<SendResult> whyNoSend(Principal p, long channelId) {
        return members.member(p, channelId).compose(c -> {
            OffsetDateTime mutedUntil = c.membership().mutedUntil();
            if (c.membership().isMuted(OffsetDateTime.now())) {
                return Future.failedFuture(ParleyException.of(ErrorCode.MUTED,
                        "You are muted in this channel until " + mutedUntil.toInstant() + "."));
            }
            return Future.failedFuture(ParleyException.of(ErrorCode.CONFLICT, "The message could not be posted; try again."));
        });
    }

    @Override
    public Future<Message> edit(Principal p, long channelId, long seq, String body) {
        return authorOrModerator(p, channelId, seq)
                .compose(m -> m.held() && !m.deleted() ? Future.failedFuture(ParleyException.of(ErrorCode.CONFLICT, Message.PENDING.equals(m.status())
                        ? "A message awaiting moderation cannot be edited; delete it and send it again." : "A rejected message cannot be edited."))
                        : messages.edit(channelId, seq, body))
                .compose(m -> m.isEmpty()
                        ? Future.failedFuture(ParleyException.of(ErrorCode.CONFLICT, "A deleted message cannot be edited."))
                        : Future.succeededFuture(m.get()))
                .compose(m -> {
                    events.edited(m);
                    // altered, not only changed: a cached search of someone who never joined may show the old body
                    return cache.altered(List.of(channelId)).map(m);
                });
    }

    @Override
    public Future<Message> delete(Principal p, long channelId, long seq) {
        return authorOrModerator(p, channelId, seq).compose(existing -> {
            if (existing.deleted()) {
                return Future.succeededFuture(existing);
            }
            return messages.delete(channelId, seq).compose(m -> {
                Message deleted = m.orElse(existing);
                if (m.isPresent()) {
                    events.deleted(deleted);
                }
                return cache.altered(List.of(channelId)).map(deleted);
            });
        });
    }

    /**
     * Moves the read marker forward. In direct and private channels every member's connections see it
     * move (a read receipt); in public channels and rooms only the user's own other connections do.
     */
    @Override
    public Future<ReadPosition> read(Principal p, long channelId, long seq) {
        return messages.markRead(channelId, p.userId(), seq).compose(r -> {
            if (r.isEmpty()) {
                return members.member(p, channelId).map(c -> new ReadPosition(channelId, c.membership().lastReadSeq()));
            }
            long marker = r.get().lastReadSeq();
            ChannelKind kind = r.get().channelKind();
            events.read(channelId, p.userId(), marker, kind == ChannelKind.DIRECT || kind == ChannelKind.PRIVATE);
            return cache.changed(List.of(), List.of(), List.of(p.userId())).map(new ReadPosition(channelId, marker));
        });
    }

    @Override
    public Future<List<Message>> replay(Principal p, long channelId, long after, int limit) {
        return messages.page(channelId, p.userId(), Long.MAX_VALUE, after, limit, false).compose(list -> list.isEmpty()
                ? members.reader(p, channelId).map(c -> List.<Message>of())
                : Future.succeededFuture(list));
    }

    /**
     * Moderation of one member. Roles: only the owner (or an admin) appoints and demotes moderators and
     * transfers ownership (the old owner becomes a moderator); the owner's own role changes only by a
     * transfer. Mutes and bans: the owner, moderators and admins, never of the owner, nor of a moderator
     * except by the owner or an admin, nor of oneself. A ban also holds for a user who is not a member
     * (they cannot join, and cannot read a room), and drops the channel from the banned user's sockets on
     * every node. Every change is recorded in the moderation log and announced to the channel.
     */
    @Override
    public Future<Membership> changeMember(Principal p, long channelId, long userId, Commands.MemberChange change) {
        return members.visible(p, channelId).compose(c -> moderates(p, c).compose(moderates -> {
            Membership mine = c.membership() != null && !c.membership().banned() ? c.membership() : null;
            boolean owner = p.isAdmin() || (mine != null && mine.role() == MemberRole.OWNER);
            boolean moderator = owner || moderates;
            if (!moderator) {
                return Future.failedFuture(mine == null && c.membership() == null && !p.isAdmin() ? Members.notAMember(channelId)
                        : forbidden("Only the owner or a moderator of this channel can do that."));
            }
            if (c.kind() == ChannelKind.DIRECT) {
                return Future.failedFuture(forbidden("A direct channel has no moderators, mutes or bans."));
            }
            if (userId == p.userId() && (change.muteGiven() || change.banned() != null)) {
                return Future.failedFuture(forbidden("You cannot mute or ban yourself."));
            }
            if (change.role() != null && !owner) {
                return Future.failedFuture(forbidden("Only the owner of this channel appoints moderators or hands the channel over."));
            }
            return channels.forUser(channelId, userId).compose(target -> {
                Membership tm = target.map(Channel::membership).orElse(null);
                if (tm == null && (change.role() != null || change.muteGiven() || Boolean.FALSE.equals(change.banned()))) {
                    return Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "User " + userId + " is not a member of this channel."));
                }
                if (tm == null) {
                    return users.byId(userId).compose(u -> u.isEmpty()
                            ? Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "User " + userId + " was not found."))
                            : apply(p, channelId, userId, null, change));
                }
                if (tm.role() == MemberRole.OWNER && (change.muteGiven() || change.banned() != null)) {
                    return Future.failedFuture(forbidden("The owner of a channel cannot be muted or banned."));
                }
                if (tm.role() == MemberRole.OWNER && change.role() != null && change.role() != MemberRole.OWNER) {
                    return Future.failedFuture(forbidden("The owner's role changes only by handing the channel to someone else (role owner)."));
                }
                if (tm.role() == MemberRole.MODERATOR && !owner && (change.muteGiven() || change.banned() != null)) {
                    return Future.failedFuture(forbidden("Only the owner can mute or ban a moderator."));
                }
                if (change.role() != null && tm.banned()) {
                    return Future.failedFuture(forbidden("A banned member gets no role; unban them first."));
                }
                return apply(p, channelId, userId, tm, change);
            });
        }));
    }

    @Override
    public Future<Channel> setRetention(Principal p, long channelId, Integer days) {
        return members.visible(p, channelId).compose(c -> {
            boolean owner = c.membership() != null && !c.membership().banned() && c.membership().role() == MemberRole.OWNER;
            if (!owner && !p.isAdmin()) {
                return Future.failedFuture(forbidden("Only the owner of this channel or an admin sets how long it keeps its messages."));
            }
            return channels.setRetention(channelId, days)
                    .compose(v -> cache.changed(List.of(channelId), List.of(), List.of()))
                    .compose(v -> members.visible(p, channelId));
        });
    }

    private Future<Boolean> moderates(Principal p, Channel c) {
        return members.moderates(p, c);
    }

    private Future<Membership> apply(Principal p, long channelId, long userId, Membership before, Commands.MemberChange change) {
        List<String> actions = new ArrayList<>();
        if (change.role() != null && (before == null || before.role() != change.role())) {
            actions.add(change.role() == MemberRole.OWNER ? "transfer" : change.role() == MemberRole.MODERATOR ? "appoint" : "demote");
        }
        if (change.muteGiven()) {
            actions.add(change.mutedUntil() == null ? "unmute" : "mute");
        }
        if (change.banned() != null && (before == null || before.banned() != change.banned())) {
            actions.add(change.banned() ? "ban" : "unban");
        }
        return channels.changeMember(channelId, p.userId(), userId, change.role(), change.muteGiven(), change.mutedUntil(),
                        change.banned(), actions, change.reason())
                .compose(m -> m.isEmpty() ? Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND,
                        "User " + userId + " is not a member of this channel.")) : Future.succeededFuture(m.get()))
                // a ban or a role moves what the member may do and what cached pages may be served to them
                .compose(m -> cache.changed(List.of(channelId), List.of(channelId), List.of(userId)).map(m))
                .map(m -> {
                    if (Boolean.TRUE.equals(change.banned()) && actions.contains("ban")) {
                        events.removed(channelId, userId);
                    }
                    if (!actions.isEmpty()) {
                        events.member(channelId, userId, m);
                    }
                    return m;
                });
    }

    @Override
    public Future<List<ModerationAction>> moderationLog(Principal p, long channelId, long beforeId, int limit) {
        return members.visible(p, channelId).compose(c -> moderates(p, c)).compose(mod -> mod
                ? channels.moderationLog(channelId, beforeId, limit)
                : Future.failedFuture(forbidden("Only the owner and moderators of this channel read its moderation log.")));
    }

    @Override
    public Future<List<Message>> moderationQueue(Principal p, long channelId, long afterSeq, int limit) {
        return moderator(p, channelId, "Only the owner and moderators of this channel see its moderation queue.")
                .compose(c -> messages.pending(channelId, afterSeq, limit));
    }

    /**
     * Approves or rejects a pending message. An approval delivers it to every subscriber at its own seq and
     * mentions whom its body names; a rejection keeps it hidden and tells its author. Either is recorded in
     * the moderation log, and cached pages that held its place are dropped.
     */
    @Override
    public Future<Message> decide(Principal p, long channelId, long seq, boolean approve, String reason) {
        return moderator(p, channelId, "Only the owner and moderators of this channel approve or reject its messages.")
                .compose(c -> messages.bySeq(channelId, seq))
                .compose(found -> {
                    if (found.isEmpty()) {
                        return Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "Message " + seq + " was not found in this channel."));
                    }
                    Message m = found.get();
                    String[] handles = approve ? io.parley.persistence.Mentions.handles(m.body()) : new String[0];
                    return messages.decide(channelId, seq, approve ? Message.APPROVED : Message.REJECTED, p.userId(), reason, handles)
                            .compose(d -> d.isPresent() ? Future.succeededFuture(d.get()) : Future.failedFuture(notPending(m)));
                })
                .compose(d -> {
                    Message m = d.message();
                    List<Long> lists = new ArrayList<>(d.mentioned());
                    lists.add(m.senderId());
                    return cache.changed(List.of(channelId), List.of(), lists).map(v -> {
                        events.decided(m);
                        if (!d.mentioned().isEmpty()) {
                            events.mention(channelId, m.seq(), m.senderId(), d.mentioned());
                        }
                        return m;
                    });
                });
    }

    private static ParleyException notPending(Message m) {
        String state = m.deleted() ? "it was deleted" : Message.APPROVED.equals(m.status()) ? "it is approved" : "it was rejected";
        return ParleyException.of(ErrorCode.NOT_PENDING, "Message " + m.seq() + " is not awaiting moderation: " + state + ".");
    }

    @Override
    public Future<Channel> setPremoderation(Principal p, long channelId, String mode) {
        return moderator(p, channelId, "Only the owner and moderators of this channel (or an admin) set its pre-moderation.")
                .compose(c -> c.kind() == ChannelKind.DIRECT
                        ? Future.failedFuture(forbidden("A direct channel has no pre-moderation."))
                        : channels.setPremoderation(channelId, mode, p.userId()))
                .compose(v -> cache.changed(List.of(channelId), List.of(), List.of()))
                .compose(v -> members.visible(p, channelId));
    }

    @Override
    public Future<List<Message>> decisions(Principal p, long channelId, long since, int limit) {
        return members.reader(p, channelId).compose(c -> messages.decisions(channelId, since, limit));
    }

    /** The channel if the caller moderates it; else 403 with {@code refusal} (404 for what they cannot see). */
    private Future<Channel> moderator(Principal p, long channelId, String refusal) {
        return members.visible(p, channelId).compose(c -> moderates(p, c).compose(mod -> mod ? Future.succeededFuture(c)
                : Future.failedFuture(forbidden(refusal))));
    }

    private Future<Message> authorOrModerator(Principal p, long channelId, long seq) {
        return members.visible(p, channelId).compose(c -> messages.bySeq(channelId, seq).compose(m -> {
            if (m.isEmpty()) {
                return Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "Message " + seq + " was not found in this channel."));
            }
            if (m.get().senderId() == p.userId()) {
                // the author, who must still be a member in good standing
                return members.member(p, channelId).map(m.get());
            }
            return moderates(p, c).compose(mod -> mod ? Future.succeededFuture(m.get())
                    : c.membership() == null ? Future.failedFuture(Members.notAMember(channelId))
                    : c.membership().banned() ? Future.failedFuture(Members.banned())
                    : Future.failedFuture(forbidden("Only the author or a moderator can change this message.")));
        }));
    }
}
