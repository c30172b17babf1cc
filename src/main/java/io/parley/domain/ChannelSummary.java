package io.parley.domain;

/** A row of "my channels": the channel, my read state, the last message and, for direct channels, the peer. */
public record ChannelSummary(Channel channel, Message lastMessage, User peer) {
}
