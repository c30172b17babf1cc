package io.parley.domain;

import java.util.Locale;

/** What kind of channel: public (anyone may join), private (by invitation), direct (two people), or a room of a lounge. Stored and sent as its lower-case name ({@link #wire()}). */
public enum ChannelKind {
    PUBLIC,
    PRIVATE,
    DIRECT,
    ROOM;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The name in the database, in tokens and in JSON. */
    public String wire() {
        return wire;
    }

    /** The value of a stored or sent name; an unknown one is a bug, not input. */
    public static ChannelKind of(String wire) {
        for (ChannelKind v : values()) {
            if (v.wire.equals(wire)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown ChannelKind: " + wire);
    }
}
