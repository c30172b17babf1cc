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
import io.parley.domain.User;
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
import java.util.Optional;
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
        // the same rule as invitations (MemberRules.add, by the owner), checked for all named users in one
        // query before anything is created, and after the quotas are taken: a list that names ids of nobody
        // costs its invitations as a real one would (no free oracle of ids), only the channel is given back
        String user = String.valueOf(p.userId());
        long invited = others.size();
        return quotas.take(Quota.CHANNEL, user, 1, limits.channelsPerUserPerHour(), Quotas.HOUR_MILLIS)
                .compose(v -> quotas.take(Quota.INVITATION, user, invited, limits.invitationsPerUserPerHour(), Quotas.HOUR_MILLIS)
                        .onFailure(t -> quotas.giveBack(Quota.CHANNEL, user, 1, Quotas.HOUR_MILLIS)))
                .compose(v -> others.isEmpty() ? Future.<Void>succeededFuture() : users.kinds(others).compose(kinds -> {
                    for (long id : others) {
                        UserKind k = kinds.get(id);
                        ParleyException refused = k == null
                                ? ParleyException.of(ErrorCode.VALIDATION, "memberIds names user " + id + ", who does not exist.")
                                : MemberRules.add(c.kind(), MemberRules.Actor.OWNER, false, k, false, id);
                        if (refused != null) {
                            quotas.giveBack(Quota.CHANNEL, user, 1, Quotas.HOUR_MILLIS);
                            return Future.<Void>failedFuture(refused);
                        }
                    }
                    return Future.<Void>succeededFuture();
                }))
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
                // a private or direct channel is not there for an outsider, nor for someone banned from it
                ParleyException refusal = a == null || (!a.isPublicLike() && (a.role() == null || a.banned())) ? Members.notFound(id)
                        : !a.active() ? Members.closed(id)
                        : a.role() == null && !"room".equals(a.kind()) ? Members.notAMember(id)
                        : a.banned() ? Members.banned()
                        : null;
                if (refusal == null) {
                    allowed.add(new SubscribeCheck.Allowed(id, a.lastSeq(), p.isAdmin() || a.moderates(), a.lastDecisionSeq(),
                            a.role() != null && !a.banned()));
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

    /**
     * Makes a user a member: the caller themself (a join: {@code userId} null or their own id) or someone
     * they invite. Every way into a channel (joins, invitations, creation, direct channels, services) is
     * decided by {@link MemberRules#add}; an invitation also takes the inviter's quota, before the invited
     * id is even looked up (an id that belongs to nobody costs the same: invitations are no free oracle of
     * ids), and tells the invited user's sockets ({@code added}).
     */
    @Override
    public Future<Joined> addMember(Principal p, long channelId, Long userId) {
        if (userId == null || userId == p.userId()) {
            return members.visible(p, channelId).compose(c -> {
                Membership m = c.membership();
                if (m != null && m.inGoodStanding()) {
                    return Future.succeededFuture(new Joined(c.id(), p.userId(), false));
                }
                ParleyException refused = MemberRules.add(c.kind(), MemberRules.Actor.NONE, true, p.kind(), m != null && m.banned(), p.userId());
                return refused != null ? Future.failedFuture(refused) : admit(c, p.userId(), false);
            });
        }
        return members.visible(p, channelId).compose(c -> actor(p, c).compose(actor -> {
            // what the channel and the inviter decide, before anything is taken or looked up
            ParleyException early = MemberRules.add(c.kind(), actor, false, UserKind.MEMBER, false, userId);
            if (early != null) {
                return Future.failedFuture(early);
            }
            return quotas.take(Quota.INVITATION, String.valueOf(p.userId()), 1, limits.invitationsPerUserPerHour(), Quotas.HOUR_MILLIS)
                    .compose(v -> users.byId(userId))
                    .compose(u -> u.isEmpty() ? Future.failedFuture(userNotFound(userId))
                            : channels.forUser(channelId, userId).compose(t -> {
                        Membership tm = t.map(Channel::membership).orElse(null);
                        if (tm != null && tm.inGoodStanding()) {
                            return Future.succeededFuture(new Joined(channelId, userId, false));
                        }
                        ParleyException refused = MemberRules.add(c.kind(), actor, false, u.get().kind(), tm != null && tm.banned(), userId);
                        return refused != null ? Future.failedFuture(refused) : admit(c, userId, true);
                    }));
        }));
    }

    /** Adds {@code userId} once the rules allowed it; {@code invited}: someone else added them, so their sockets are told. */
    private Future<Joined> admit(Channel c, long userId, boolean invited) {
        return channels.addMember(c.id(), userId, MemberRole.MEMBER)
                .compose(added -> cache.changed(List.of(c.id()), List.of(c.id()), List.of(userId)).map(added))
                .map(added -> {
                    if (added && invited) {
                        events.added(c.id(), List.of(userId));
                    }
                    return new Joined(c.id(), userId, added);
                });
    }

    /** The user of {@code userId} if the caller may see them (admins see everyone); else empty, as for nobody. */
    private Future<Optional<User>> seen(Principal p, long userId) {
        return p.isAdmin() ? users.byId(userId)
                : users.byIds(List.of(userId), p.userId()).map(found -> found.stream().filter(u -> u.id() == userId).findFirst());
    }

    private static ParleyException userNotFound(long userId) {
        return ParleyException.of(ErrorCode.NOT_FOUND, "User " + userId + " was not found.");
    }

    /** Where the caller stands in {@code c}, for {@link MemberRules}: a lounge moderator is looked up only for rooms. */
    private Future<MemberRules.Actor> actor(Principal p, Channel c) {
        Future<Boolean> lounge = p.isAdmin() || c.loungeId() == null ? Future.succeededFuture(false)
                : channels.isLoungeModerator(c.loungeId(), p.userId());
        return lounge.map(lm -> MemberRules.actor(p.isAdmin(), lm, c.membership()));
    }

    /** Where the one acted on stands, with their row in the channel (null: none). */
    private record Target(MemberRules.Target standing, Membership row) {
    }

    /** Where {@code userId} stands in {@code c}. */
    private Future<Target> target(Channel c, long userId) {
        Future<Boolean> lounge = c.loungeId() == null ? Future.succeededFuture(false) : channels.isLoungeModerator(c.loungeId(), userId);
        return lounge.compose(lm -> channels.forUser(c.id(), userId).map(t -> {
            Membership tm = t.map(Channel::membership).orElse(null);
            return new Target(MemberRules.target(lm, tm), tm);
        }));
    }

    /**
     * Leaving (the caller themself) or removing someone: a removal follows {@link MemberRules#moderate} like
     * a ban, is recorded in the moderation log, and leaves a ban standing.
     */
    @Override
    public Future<Void> removeMember(Principal p, long channelId, long userId) {
        if (userId == p.userId()) {
            return members.member(p, channelId).compose(c -> channels.removeMember(channelId, userId, null))
                    .compose(removed -> removed(channelId, userId, removed));
        }
        return members.visible(p, channelId).compose(c -> actor(p, c).compose(actor -> target(c, userId).compose(t -> {
            ParleyException refused = MemberRules.moderate(c.kind(), actor, t.standing(), t.row() != null && t.row().joined(),
                    MemberRules.Act.REMOVE, false, userId);
            if (refused != null) {
                return Future.failedFuture(actor == MemberRules.Actor.NONE && c.membership() == null && c.kind() != ChannelKind.ROOM
                        ? Members.notAMember(channelId) : refused);
            }
            return channels.removeMember(channelId, userId, p.userId()).compose(removed -> removed(channelId, userId, removed));
        })));
    }

    private Future<Void> removed(long channelId, long userId, boolean removed) {
        return cache.changed(List.of(channelId), List.of(channelId), List.of(userId)).map(v -> {
            if (removed) {
                // sockets of the removed user drop the channel at once: no reading a channel you are not in
                events.removed(channelId, userId);
            }
            return null;
        });
    }

    @Override
    public Future<DirectChannel> direct(Principal p, long otherUserId) {
        ParleyException starter = MemberRules.direct(p.kind(), UserKind.MEMBER, otherUserId);
        if (starter != null) {
            return Future.failedFuture(starter);
        }
        if (otherUserId == p.userId()) {
            return Future.failedFuture(ParleyException.of(ErrorCode.VALIDATION, "A direct channel needs another user than yourself."));
        }
        // only a new conversation counts: opening an existing one again is free. The quota is taken before
        // the id is looked up, so an id that belongs to nobody costs as much as a real one.
        return channels.directId(p.userId(), otherUserId).compose(existing -> (existing.isPresent() ? Future.<Void>succeededFuture()
                        : quotas.take(Quota.DIRECT, String.valueOf(p.userId()), 1, limits.directChannelsPerUserPerHour(), Quotas.HOUR_MILLIS))
                .compose(v -> users.byId(otherUserId))
                .compose(other -> {
                    ParleyException refused = MemberRules.direct(p.kind(), other.map(User::kind).orElse(null), otherUserId);
                    if (refused != null) {
                        return Future.failedFuture(refused);
                    }
                    return channels.direct(p.userId(), otherUserId, "direct")
                            .compose(id -> cache.changed(List.of(id), List.of(id), List.of(p.userId(), otherUserId)).map(id))
                            .compose(id -> {
                                if (existing.isEmpty()) {
                                    // only a new conversation is announced: opening it again cannot keep the other's client busy
                                    events.added(id, List.of(otherUserId));
                                }
                                return channels.forUser(id, p.userId());
                            })
                            .map(c -> new DirectChannel(c.orElseThrow(), other.get()));
                }));
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
        return authorOrModerator(p, channelId, seq, true)
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
        return authorOrModerator(p, channelId, seq, false).compose(existing -> {
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
     * Moderation of one member: roles, mutes and bans, each decided by {@link MemberRules#moderate} (the
     * table in docs/decisions.md). A ban also holds for a user who is not a member (in public channels and
     * rooms, where it stops a join or a read; rate limited, and only of a user the moderator could see or
     * who posted here); lifting it then removes the row. A change that changes nothing answers the member
     * as they are. Every change is recorded in the moderation log and announced to the channel.
     */
    @Override
    public Future<Membership> changeMember(Principal p, long channelId, long userId, Commands.MemberChange change) {
        return members.visible(p, channelId).compose(c -> actor(p, c).compose(actor -> target(c, userId).compose(t -> {
            Membership tm = t.row();
            boolean joined = tm != null && tm.joined();
            for (MemberRules.Act act : acts(change, tm)) {
                ParleyException refused = MemberRules.moderate(c.kind(), actor, t.standing(), joined, act, userId == p.userId(), userId);
                if (refused != null) {
                    return Future.failedFuture(actor == MemberRules.Actor.NONE && c.membership() == null ? Members.notAMember(channelId) : refused);
                }
            }
            if (tm != null || !Boolean.TRUE.equals(change.banned())) {
                return apply(p, channelId, userId, tm, change);
            }
            // a ban of someone who is not a member: only of a user the moderator could already see, and counted
            String user = String.valueOf(p.userId());
            return (p.isAdmin() ? users.byId(userId) : seen(p, userId).compose(u -> u.isPresent() ? Future.succeededFuture(u)
                    : messages.hasPosted(channelId, userId).compose(posted -> posted ? users.byId(userId)
                    : Future.succeededFuture(Optional.<User>empty()))))
                    .compose(u -> u.isEmpty() ? Future.failedFuture(userNotFound(userId))
                            : quotas.take(Quota.BAN, user, 1, limits.nonMemberBansPerUserPerHour(), Quotas.HOUR_MILLIS))
                    .compose(v -> apply(p, channelId, userId, null, change));
        })));
    }

    /** The acts a change asks for, as the table names them. */
    private static List<MemberRules.Act> acts(Commands.MemberChange change, Membership before) {
        List<MemberRules.Act> acts = new ArrayList<>(3);
        if (change.role() != null) {
            acts.add(change.role() == MemberRole.OWNER ? MemberRules.Act.TRANSFER
                    : change.role() == MemberRole.MODERATOR ? MemberRules.Act.APPOINT : MemberRules.Act.DEMOTE);
        }
        if (change.muteGiven()) {
            acts.add(change.mutedUntil() == null ? MemberRules.Act.UNMUTE : MemberRules.Act.MUTE);
        }
        if (change.banned() != null) {
            acts.add(change.banned() ? MemberRules.Act.BAN : MemberRules.Act.UNBAN);
        }
        return acts;
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
        // only what changes is done, logged and announced
        List<String> actions = new ArrayList<>();
        if (change.role() != null && (before == null || before.role() != change.role())) {
            actions.add(change.role() == MemberRole.OWNER ? "transfer" : change.role() == MemberRole.MODERATOR ? "appoint" : "demote");
        }
        if (change.muteGiven() && (before == null || !sameTime(before.mutedUntil(), change.mutedUntil()))) {
            actions.add(change.mutedUntil() == null ? "unmute" : "mute");
        }
        if (change.banned() != null && (before == null || before.banned() != change.banned())) {
            actions.add(change.banned() ? "ban" : "unban");
        }
        if (actions.isEmpty() && before != null) {
            return Future.succeededFuture(before);
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

    /** The same instant (or both none), whatever the offsets they were written with. */
    private static boolean sameTime(OffsetDateTime a, OffsetDateTime b) {
        return a == null ? b == null : b != null && a.isEqual(b);
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

    /**
     * The message if the caller may change it: its author, a member in good standing (and, for an edit,
     * not muted: an edit speaks as much as a send), or a moderator.
     */
    private Future<Message> authorOrModerator(Principal p, long channelId, long seq, boolean speaks) {
        return members.visible(p, channelId).compose(c -> messages.bySeq(channelId, seq).compose(m -> {
            if (m.isEmpty()) {
                return Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "Message " + seq + " was not found in this channel."));
            }
            if (m.get().senderId() == p.userId()) {
                return members.member(p, channelId).compose(mine -> speaks && mine.membership().isMuted(OffsetDateTime.now())
                        ? Future.failedFuture(ParleyException.of(ErrorCode.MUTED, "You are muted in this channel until "
                        + mine.membership().mutedUntil().toInstant() + "; your messages cannot be edited until then."))
                        : Future.succeededFuture(m.get()));
            }
            return moderates(p, c).compose(mod -> mod ? Future.succeededFuture(m.get())
                    : c.membership() == null ? Future.failedFuture(Members.notAMember(channelId))
                    : c.membership().banned() ? Future.failedFuture(Members.banned())
                    : Future.failedFuture(forbidden("Only the author or a moderator can change this message.")));
        }));
    }
}
