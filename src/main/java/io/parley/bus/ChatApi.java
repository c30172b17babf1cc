package io.parley.bus;

import io.parley.domain.Channel;
import io.parley.domain.DirectChannel;
import io.parley.domain.Joined;
import io.parley.domain.Membership;
import io.parley.domain.Message;
import io.parley.domain.ModerationAction;
import io.parley.domain.Principal;
import io.parley.domain.ReadPosition;
import io.parley.domain.SendResult;
import io.parley.domain.SubscribeCheck;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;

import java.util.List;
import java.util.Map;

/**
 * The chat rules as the edges (HTTP, WebSocket, internal services) call them: what a user may see, join,
 * post, edit and delete. Answers are domain records; the edges render them (see {@link Views}). Served
 * node-locally at {@link Addresses#CHAT}.
 */
public interface ChatApi {

    Future<Channel> create(Principal p, Commands.NewChannel channel);

    Future<Channel> get(Principal p, long channelId);

    /** The access check of a whole subscribe frame in one query, in the order asked. */
    Future<SubscribeCheck> access(Principal p, List<Long> channelIds);

    /** The newest seq of channels the caller was already allowed to subscribe to. */
    Future<Map<Long, Long>> positions(List<Long> channelIds);

    /** Joins (no {@code userId}, or the caller's) or invites {@code userId}. */
    /** Joins ({@code userId} null, or the caller's own id) or invites {@code userId}. */
    Future<Joined> addMember(Principal p, long channelId, Long userId);

    Future<Void> removeMember(Principal p, long channelId, long userId);

    Future<DirectChannel> direct(Principal p, long otherUserId);

    Future<SendResult> send(Principal p, Commands.Post post);

    Future<Message> edit(Principal p, long channelId, long seq, String body);

    Future<Message> delete(Principal p, long channelId, long seq);

    Future<ReadPosition> read(Principal p, long channelId, long seq);

    /** Oldest first, for replays: messages after {@code after}, at most {@code limit}. */
    Future<List<Message>> replay(Principal p, long channelId, long after, int limit);

    /** An owner, moderator or admin changes a member's role, mute or ban; answers the member's membership after it. */
    Future<Membership> changeMember(Principal p, long channelId, long userId, Commands.MemberChange change);

    /** The channel's moderation log, newest first, for its owner, moderators and admins. */
    Future<List<ModerationAction>> moderationLog(Principal p, long channelId, long beforeId, int limit);

    /** The owner or an admin sets how many days the channel keeps its messages (null: forever, or its lounge's). */
    Future<Channel> setRetention(Principal p, long channelId, Integer days);

    /** The channel's messages awaiting moderation after {@code afterSeq}, oldest first, for its moderators. */
    Future<List<Message>> moderationQueue(Principal p, long channelId, long afterSeq, int limit);

    /** A moderator approves or rejects a pending message; answers it as decided. */
    Future<Message> decide(Principal p, long channelId, long seq, boolean approve, String reason);

    /** A moderator (or an admin) sets the channel's pre-moderation: off, guests or all. */
    Future<Channel> setPremoderation(Principal p, long channelId, String mode);

    /**
     * For a subscribe resuming from {@code since}: the approvals and rejections of messages up to
     * {@code since} made while the channel's last seq was {@code since} or later, which a socket away at
     * that moment missed.
     */
    Future<List<Message>> decisions(Principal p, long channelId, long since, int limit);

    /** The node-local client of the chat rules. */
    static ChatApi client(EventBus bus) {
        return new ChatApi() {
            private <T> Future<T> call(Local.Call<ChatApi, T> c) {
                return Local.call(bus, Addresses.CHAT, c);
            }

            @Override
            public Future<Channel> create(Principal p, Commands.NewChannel channel) {
                return call(a -> a.create(p, channel));
            }

            @Override
            public Future<Channel> get(Principal p, long channelId) {
                return call(a -> a.get(p, channelId));
            }

            @Override
            public Future<SubscribeCheck> access(Principal p, List<Long> channelIds) {
                return call(a -> a.access(p, channelIds));
            }

            @Override
            public Future<Map<Long, Long>> positions(List<Long> channelIds) {
                return call(a -> a.positions(channelIds));
            }

            @Override
            public Future<Joined> addMember(Principal p, long channelId, Long userId) {
                return call(a -> a.addMember(p, channelId, userId));
            }

            @Override
            public Future<Void> removeMember(Principal p, long channelId, long userId) {
                return call(a -> a.removeMember(p, channelId, userId));
            }

            @Override
            public Future<DirectChannel> direct(Principal p, long otherUserId) {
                return call(a -> a.direct(p, otherUserId));
            }

            @Override
            public Future<SendResult> send(Principal p, Commands.Post post) {
                return call(a -> a.send(p, post));
            }

            @Override
            public Future<Message> edit(Principal p, long channelId, long seq, String body) {
                return call(a -> a.edit(p, channelId, seq, body));
            }

            @Override
            public Future<Message> delete(Principal p, long channelId, long seq) {
                return call(a -> a.delete(p, channelId, seq));
            }

            @Override
            public Future<ReadPosition> read(Principal p, long channelId, long seq) {
                return call(a -> a.read(p, channelId, seq));
            }

            @Override
            public Future<List<Message>> replay(Principal p, long channelId, long after, int limit) {
                return call(a -> a.replay(p, channelId, after, limit));
            }

            @Override
            public Future<Channel> setRetention(Principal p, long channelId, Integer days) {
                return call(a -> a.setRetention(p, channelId, days));
            }

            @Override
            public Future<Membership> changeMember(Principal p, long channelId, long userId, Commands.MemberChange change) {
                return call(a -> a.changeMember(p, channelId, userId, change));
            }

            @Override
            public Future<List<ModerationAction>> moderationLog(Principal p, long channelId, long beforeId, int limit) {
                return call(a -> a.moderationLog(p, channelId, beforeId, limit));
            }

            @Override
            public Future<List<Message>> moderationQueue(Principal p, long channelId, long afterSeq, int limit) {
                return call(a -> a.moderationQueue(p, channelId, afterSeq, limit));
            }

            @Override
            public Future<Message> decide(Principal p, long channelId, long seq, boolean approve, String reason) {
                return call(a -> a.decide(p, channelId, seq, approve, reason));
            }

            @Override
            public Future<Channel> setPremoderation(Principal p, long channelId, String mode) {
                return call(a -> a.setPremoderation(p, channelId, mode));
            }

            @Override
            public Future<List<Message>> decisions(Principal p, long channelId, long since, int limit) {
                return call(a -> a.decisions(p, channelId, since, limit));
            }
        };
    }

    /** Serves {@code impl} at this interface's address for the calling verticle instance. */
    static Local.Served serve(EventBus bus, ChatApi impl) {
        return Local.serve(bus, Addresses.CHAT, impl);
    }
}
