package io.parley.domain;

import java.util.Locale;

/** A member's role in one channel. Stored and sent as its lower-case name ({@link #wire()}). */
public enum MemberRole {
    OWNER,
    MODERATOR,
    MEMBER;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The name in the database, in tokens and in JSON. */
    public String wire() {
        return wire;
    }

    /** The value of a stored or sent name; an unknown one is a bug, not input. */
    public static MemberRole of(String wire) {
        for (MemberRole v : values()) {
            if (v.wire.equals(wire)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown MemberRole: " + wire);
    }
}
