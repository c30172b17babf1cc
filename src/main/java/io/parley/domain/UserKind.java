package io.parley.domain;

/** A user's kind: a person with an account, a guest, or an internal service. Stored and sent as its lower-case name ({@link #wire()}). */
public enum UserKind {
    MEMBER,
    GUEST,
    SERVICE;

    /** The name in the database, in tokens and in JSON. */
    public String wire() {
        return Wire.name(this);
    }

    public static UserKind of(String wire) {
        return Wire.of(UserKind.class, wire);
    }
}
