package io.parley.chat;

import io.parley.domain.Channel;
import io.parley.domain.ChannelKind;
import io.parley.domain.Principal;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.persistence.ChannelStore;
import io.vertx.core.Future;

/**
 * Who may see a channel and who may read it, the one check every access goes through: a private or direct
 * channel is invisible (404) to non-members; a public channel or room is visible; a public channel's
 * messages need a join (403), a room's are readable by anyone not banned from it (writing needs a join).
 * A closed channel (deactivated, or a room of a deactivated lounge) is refused with {@code channel_closed}
 * to those who could see it; its messages are kept.
 */
final class Members {

    private final ChannelStore channels;

    Members(ChannelStore channels) {
        this.channels = channels;
    }

    /**
     * The channel if the caller may see it: members in good standing always, anyone for public channels
     * and rooms. A banned user sees a private channel as an outsider does: not at all.
     */
    Future<Channel> visible(Principal p, long channelId) {
        return channels.forUser(channelId, p.userId()).compose(c -> {
            if (c.isEmpty() || (!c.get().isPublicLike() && (c.get().membership() == null || !c.get().membership().inGoodStanding()))) {
                return Future.failedFuture(notFound(channelId));
            }
            if (!c.get().active()) {
                return Future.failedFuture(closed(channelId));
            }
            return Future.succeededFuture(c.get());
        });
    }

    /** The channel if the caller may read its messages: a member in good standing, or anyone not banned for a room. */
    Future<Channel> reader(Principal p, long channelId) {
        return visible(p, channelId).compose(c -> c.kind() == ChannelKind.ROOM
                ? (c.membership() != null && c.membership().banned() ? Future.failedFuture(banned()) : Future.succeededFuture(c))
                : member(p, channelId, c));
    }

    /** The channel if the caller is a member in good standing. */
    Future<Channel> member(Principal p, long channelId) {
        return visible(p, channelId).compose(c -> member(p, channelId, c));
    }

    private static Future<Channel> member(Principal p, long channelId, Channel c) {
        if (c.membership() != null && c.membership().banned()) {
            return Future.failedFuture(banned());
        }
        if (c.membership() == null || !c.membership().joined()) {
            return Future.failedFuture(notAMember(channelId));
        }
        return Future.succeededFuture(c);
    }

    /**
     * Whether the caller moderates this channel: its owner or a moderator in good standing, an admin, or,
     * for a room, a moderator of its lounge (set by admins; they moderate every room of the lounge) who is
     * not banned from it. The same standing {@link MemberRules#actor} ranks.
     */
    Future<Boolean> moderates(Principal p, Channel c) {
        MemberRules.Actor known = MemberRules.actor(p.isAdmin(), false, c.membership());
        if (known.rank >= MemberRules.Actor.MODERATOR.rank || (c.membership() != null && c.membership().banned())) {
            return Future.succeededFuture(known.rank >= MemberRules.Actor.MODERATOR.rank);
        }
        return c.loungeId() == null ? Future.succeededFuture(false) : channels.isLoungeModerator(c.loungeId(), p.userId());
    }

    static ParleyException notFound(long channelId) {
        return ParleyException.of(ErrorCode.NOT_FOUND, "Channel " + channelId + " was not found.");
    }

    static ParleyException notAMember(long channelId) {
        return ParleyException.of(ErrorCode.NOT_A_MEMBER, "You are not a member of channel " + channelId + "; join it first.");
    }

    static ParleyException closed(long channelId) {
        return ParleyException.of(ErrorCode.CHANNEL_CLOSED, "Channel " + channelId
                + " is closed: its messages are kept, but it takes no new ones and cannot be joined or subscribed to.");
    }

    static ParleyException banned() {
        return ParleyException.of(ErrorCode.BANNED, "You are banned from this channel.");
    }

    static ParleyException forbidden(String message) {
        return ParleyException.of(ErrorCode.FORBIDDEN, message);
    }
}
