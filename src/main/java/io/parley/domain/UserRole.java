package io.parley.domain;

import java.util.Locale;

/** A user's role on the whole server. Stored and sent as its lower-case name ({@link #wire()}). */
public enum UserRole {
    USER,
    ADMIN;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The name in the database, in tokens and in JSON. */
    public String wire() {
        return wire;
    }

    /** The value of a stored or sent name; an unknown one is a bug, not input. */
    public static UserRole of(String wire) {
        for (UserRole v : values()) {
            if (v.wire.equals(wire)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown UserRole: " + wire);
    }
}
