package io.parley.persistence;

import io.parley.domain.Channel;
import io.parley.domain.ChannelSummary;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;

/** Channels and memberships. Authorization rules live in the chat service; this only stores. */
public interface ChannelStore {

    /** Creates the channel with its creator as owner and the others as members, in one transaction. */
    Future<Long> create(String kind, String name, String topic, long createdBy, List<Long> memberIds);

    /** The channel with {@code userId}'s membership (null membership when not a member). */
    Future<Optional<Channel>> forUser(long channelId, long userId);

    Future<List<ChannelSummary>> list(long userId);

    /** True when added, false when already a member. */
    Future<Boolean> addMember(long channelId, long userId, String role);

    /** True when removed. */
    Future<Boolean> removeMember(long channelId, long userId);

    /** The direct channel of two users, if it exists (it may have been left by one of them). */
    Future<Optional<Long>> directId(long userA, long userB);

    /** Get-or-create the direct channel of two users; both are members. */
    Future<Long> direct(long userA, long userB, String name);
}
