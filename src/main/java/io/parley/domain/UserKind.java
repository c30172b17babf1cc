package io.parley.domain;

import java.util.Locale;

/** A user's kind: a person with an account, a guest, or an internal service. Stored and sent as its lower-case name ({@link #wire()}). */
public enum UserKind {
    MEMBER,
    GUEST,
    SERVICE;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The name in the database, in tokens and in JSON. */
    public String wire() {
        return wire;
    }

    /** The value of a stored or sent name; an unknown one is a bug, not input. */
    public static UserKind of(String wire) {
        for (UserKind v : values()) {
            if (v.wire.equals(wire)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown UserKind: " + wire);
    }
}
