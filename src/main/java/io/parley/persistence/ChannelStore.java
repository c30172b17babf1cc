package io.parley.persistence;

import java.time.OffsetDateTime;

import io.parley.domain.ModerationAction;

import io.parley.domain.Membership;

import io.parley.domain.Channel;
import io.parley.domain.ChannelSummary;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
import io.parley.domain.ChannelKind;
import io.parley.domain.MemberRole;
import java.util.Map;

/** Channels and memberships. Authorization rules live in the chat service; this only stores. */
public interface ChannelStore {

    /** Creates the channel with its creator as owner and the others as members, in one transaction. */
    Future<Long> create(ChannelKind kind, String name, String topic, long createdBy, List<Long> memberIds);

    /** The channel with {@code userId}'s membership (null membership when not a member). */
    Future<Optional<Channel>> forUser(long channelId, long userId);

    Future<List<ChannelSummary>> list(long userId);

    /** What a subscribe needs to know of many channels, in one query: by id, only the channels that exist. */
    Future<Map<Long, Access>> access(List<Long> channelIds, long userId);

    /** The newest seq of each channel that exists, in one query. */
    Future<Map<Long, Long>> positions(List<Long> channelIds);

    /** A channel's kind, state and newest seq with the caller's role in it (null: not a member). */
    record Access(long id, String kind, boolean active, long lastSeq, String role, boolean banned, boolean loungeModerator,
                  long lastDecisionSeq) {

        /** The owner or a moderator in good standing, or a moderator of the room's lounge not banned from it. */
        public boolean moderates() {
            return !banned && (loungeModerator || "owner".equals(role) || "moderator".equals(role));
        }

        public boolean isPublicLike() {
            return "public".equals(kind) || "room".equals(kind);
        }
    }

    /** True when added, false when already a member. */
    Future<Boolean> addMember(long channelId, long userId, MemberRole role);

    /**
     * True when removed. A banned member keeps the ban (the row stays, no longer joined). {@code actorId}
     * not null: a moderator's removal, recorded in the moderation log in the same transaction.
     */
    Future<Boolean> removeMember(long channelId, long userId, Long actorId);

    /** The direct channel of two users, if it exists (it may have been left by one of them). */
    Future<Optional<Long>> directId(long userA, long userB);

    /**
     * Get-or-create the direct channel of two users ({@code userA} asks). A new channel has both as
     * members; for an existing one only {@code userA} is (re-)added, so one who left is not pulled back.
     */
    Future<Long> direct(long userA, long userB, String name);

    /**
     * Applies a moderator's change to one member and records it, in one transaction: {@code role} (null:
     * unchanged; OWNER makes every other owner a moderator), a mute ({@code muteGiven}), a ban (a user who
     * is not a member gets a banned membership, so that they cannot join), {@code action} and
     * {@code reason} for the log. Lifting the ban of a user who never joined deletes the row (answered as a
     * membership neither banned nor joined). Answers the member's membership after the change, empty when
     * there is no such member and nothing was banned.
     */
    Future<Optional<Membership>> changeMember(long channelId, long actorId, long userId, MemberRole role, boolean muteGiven,
                                              OffsetDateTime mutedUntil, Boolean banned, List<String> actions, String reason);

    /** The moderation log of a channel, newest first, before the action id {@code beforeId} (0: from the newest). */
    Future<List<ModerationAction>> moderationLog(long channelId, long beforeId, int limit);

    /** Whether the user moderates every room of the lounge (set by admins). */
    Future<Boolean> isLoungeModerator(long loungeId, long userId);

    /** A channel's own retention in days; null: none (a room then follows its lounge's). */
    Future<Void> setRetention(long channelId, Integer days);

    /** Sets the channel's pre-moderation ({@code off}, {@code guests}, {@code all}), recorded in the log as by {@code actorId}. */
    Future<Void> setPremoderation(long channelId, String mode, long actorId);
}
