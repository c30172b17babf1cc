package io.parley.domain;

/** What kind of channel: public (anyone may join), private (by invitation), direct (two people), or a room of a lounge. Stored and sent as its lower-case name ({@link #wire()}). */
public enum ChannelKind {
    PUBLIC,
    PRIVATE,
    DIRECT,
    ROOM;

    /** The name in the database, in tokens and in JSON. */
    public String wire() {
        return Wire.name(this);
    }

    public static ChannelKind of(String wire) {
        return Wire.of(ChannelKind.class, wire);
    }
}
