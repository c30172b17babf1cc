package io.parley.chat;

import io.parley.domain.ChannelKind;
import io.parley.domain.MemberRole;
import io.parley.domain.Membership;
import io.parley.domain.UserKind;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;

/**
 * Who may make whom a member, and who may do what to whom: the one table (docs/decisions.md, "Who may do
 * what to whom") that every path goes through, HTTP, WebSocket and the event bus alike. Pure: the chat
 * rules look up where the actor and the target stand, and this decides. Each method answers null when
 * the act is allowed, else the refusal to answer with.
 */
final class MemberRules {

    /** Where the one who acts stands in the channel, by rank: each outranks the ones after it. */
    enum Actor {
        ADMIN(5), LOUNGE_MODERATOR(4), OWNER(3), MODERATOR(2), MEMBER(1), NONE(0);

        final int rank;

        Actor(int rank) {
            this.rank = rank;
        }
    }

    /** Where the one acted on stands. BANNED: a banned row (a ban takes any moderator role away); NONE: no row. */
    enum Target {
        LOUNGE_MODERATOR(4), OWNER(3), MODERATOR(2), MEMBER(1), BANNED(1), NONE(0);

        final int rank;

        Target(int rank) {
            this.rank = rank;
        }
    }

    /** What a moderator does to a member (PATCH and DELETE of {@code /channels/{id}/members/{userId}}). */
    enum Act {
        REMOVE, BAN, UNBAN, MUTE, UNMUTE, APPOINT, DEMOTE, TRANSFER;

        boolean isRole() {
            return this == APPOINT || this == DEMOTE || this == TRANSFER;
        }
    }

    private MemberRules() {
    }

    /**
     * The actor's standing: admins, then lounge moderators of the room, then the role of a membership in
     * good standing. A ban in this channel leaves no standing (an admin may ban a lounge moderator from one room).
     */
    static Actor actor(boolean admin, boolean loungeModerator, Membership mine) {
        if (admin) {
            return Actor.ADMIN;
        }
        if (mine != null && mine.banned()) {
            return Actor.NONE;
        }
        if (loungeModerator) {
            return Actor.LOUNGE_MODERATOR;
        }
        if (mine == null || !mine.inGoodStanding()) {
            return Actor.NONE;
        }
        return mine.role() == MemberRole.OWNER ? Actor.OWNER : mine.role() == MemberRole.MODERATOR ? Actor.MODERATOR : Actor.MEMBER;
    }

    /** The target's standing; {@code loungeModerator}: they moderate the lounge of this room. */
    static Target target(boolean loungeModerator, Membership theirs) {
        if (loungeModerator) {
            return Target.LOUNGE_MODERATOR;
        }
        if (theirs == null) {
            return Target.NONE;
        }
        if (theirs.banned()) {
            return Target.BANNED;
        }
        return theirs.role() == MemberRole.OWNER ? Target.OWNER : theirs.role() == MemberRole.MODERATOR ? Target.MODERATOR : Target.MEMBER;
    }

    /**
     * Whether {@code actor} may do {@code act} to {@code target} in a channel of {@code kind}; {@code self}:
     * the actor acts on themself (leaving is not an act here: it is always allowed to a member).
     * {@code targetJoined}: for a BANNED target, whether they are a member under the ban.
     */
    static ParleyException moderate(ChannelKind kind, Actor actor, Target target, boolean targetJoined, Act act, boolean self,
                                    long userId) {
        if (kind == ChannelKind.DIRECT) {
            return forbidden("A direct channel has no moderators, mutes, bans or removals.");
        }
        if (actor.rank < Actor.MODERATOR.rank) {
            return forbidden(act == Act.REMOVE ? "Only the owner or a moderator can remove other members."
                    : "Only the owner or a moderator of this channel can do that.");
        }
        if (act.isRole() && actor != Actor.ADMIN && actor != Actor.OWNER) {
            return forbidden("Only the owner of this channel (or an admin) appoints and demotes moderators or hands the channel over.");
        }
        if (self && (act == Act.MUTE || act == Act.BAN)) {
            return forbidden("You cannot mute or ban yourself.");
        }
        if (target == Target.LOUNGE_MODERATOR && actor != Actor.ADMIN) {
            return forbidden("User " + userId + " moderates this room's lounge: only an admin acts on a lounge moderator.");
        }
        if (target == Target.NONE || (target == Target.BANNED && !targetJoined && act != Act.UNBAN && act != Act.BAN)) {
            if (act == Act.BAN) {
                return kind == ChannelKind.PRIVATE
                        ? forbidden("Only members of a private channel can be banned: nobody else can join it or read it.")
                        : null;
            }
            return ParleyException.of(ErrorCode.NOT_FOUND, act == Act.UNBAN ? "User " + userId + " is not banned from this channel."
                    : "User " + userId + " is not a member of this channel.");
        }
        if (target == Target.OWNER) {
            if (act == Act.MUTE || act == Act.BAN) {
                return forbidden("The owner of a channel cannot be muted or banned; hand the channel over first.");
            }
            if (act == Act.APPOINT || act == Act.DEMOTE) {
                return forbidden("The owner's role changes only by handing the channel to someone else (role owner).");
            }
            if (act == Act.REMOVE && actor != Actor.ADMIN) {
                return forbidden("Only an admin can remove the owner of a channel.");
            }
        }
        if (act.isRole()) {
            return target == Target.BANNED ? forbidden("A banned member gets no role; lift the ban first.") : null;
        }
        if (actor.rank <= target.rank) {
            return forbidden("Only someone who outranks them acts on user " + userId
                    + ": moderators act on members, the owner and admins on moderators.");
        }
        return null;
    }

    /**
     * Whether {@code actor} may add a user of {@code targetKind} to a channel of {@code kind} ({@code self}:
     * joining by oneself). {@code targetBanned}: the target is banned from the channel.
     */
    static ParleyException add(ChannelKind kind, Actor actor, boolean self, UserKind targetKind, boolean targetBanned, long userId) {
        if (kind == ChannelKind.DIRECT) {
            return forbidden("A direct channel has exactly two members; nobody can join or be invited.");
        }
        if (self) {
            if (targetBanned) {
                return Members.banned();
            }
            if (kind == ChannelKind.PRIVATE) {
                return forbidden("This channel is joined by invitation only.");
            }
            return targetKind == UserKind.GUEST && kind != ChannelKind.ROOM
                    ? forbidden("Guests can join rooms only; sign up to join channels.") : null;
        }
        if (kind == ChannelKind.ROOM) {
            return forbidden("Nobody is put into a room by someone else: rooms are read without joining, and joined by their readers.");
        }
        if (actor == Actor.NONE) {
            return ParleyException.of(ErrorCode.NOT_A_MEMBER, "Only members of this channel invite to it; join it first.");
        }
        if (kind == ChannelKind.PRIVATE && actor.rank < Actor.MODERATOR.rank) {
            return forbidden("Only the owner or a moderator can invite to a private channel.");
        }
        if (targetKind == UserKind.GUEST) {
            return forbidden("Guests can only be in rooms; they cannot be invited to channels.");
        }
        if (targetBanned) {
            return forbidden("User " + userId + " is banned from this channel; lift the ban before inviting them.");
        }
        return null;
    }

    /**
     * Whether a user of {@code starter} kind may open a direct channel with one of {@code other} kind
     * (null: nobody has that id). Guests talk in rooms only; a guest on the other side is answered as
     * an id of nobody, as direct channels are for accounts.
     */
    static ParleyException direct(UserKind starter, UserKind other, long otherId) {
        if (starter == UserKind.GUEST) {
            return forbidden("Guests cannot start direct conversations; sign up first.");
        }
        return other == null || other == UserKind.GUEST ? ParleyException.of(ErrorCode.NOT_FOUND, "User " + otherId + " was not found.") : null;
    }

    private static ParleyException forbidden(String message) {
        return Members.forbidden(message);
    }
}
