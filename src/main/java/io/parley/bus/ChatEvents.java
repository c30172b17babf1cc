package io.parley.bus;

import io.parley.domain.Membership;

import io.parley.domain.Message;

/**
 * The committed changes the chat rules announce, once each; {@link Fanout} renders every event once and
 * publishes it to the nodes with subscribers (docs/event-bus.md lists the events).
 */
public interface ChatEvents {

    /** A new message; a held one ({@link Message#held}) reaches only its author and the moderators whole. */
    void message(Message m);

    /** A held message was approved (it reaches every subscriber whole) or rejected. */
    void decided(Message m);

    void edited(Message m);

    void deleted(Message m);

    /** A member left or was removed: their sockets drop the channel at once. */
    void removed(long channelId, long userId);

    /**
     * A read marker moved: every member sees it ({@code receipts}, direct and private channels) or only
     * the user's own other connections.
     */
    void read(long channelId, long userId, long lastReadSeq, boolean receipts);

    /**
     * A moderator changed a member (role, mute, ban): every subscriber of the channel sees it. A ban is
     * also announced with {@link #removed}, so the banned user's sockets drop the channel.
     */
    void member(long channelId, long userId, Membership m);

    /** Someone else made these users members of a channel (an invitation, a new channel or direct chat): their sockets are told. */
    void added(long channelId, java.util.List<Long> userIds);

    /**
     * What the user may do in the channel changed without a membership change (they became, or stopped
     * being, a moderator of its lounge): their sockets look at their access again. Not shown to clients.
     */
    void access(long channelId, long userId);

    /** A new message mentions these members: their sockets, on every node, are told. */
    void mention(long channelId, long seq, long senderId, java.util.List<Long> userIds);
}
