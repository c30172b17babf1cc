package io.parley.domain;

/** A direct channel as its member sees it, with the other member. */
public record DirectChannel(Channel channel, User peer) {
}
