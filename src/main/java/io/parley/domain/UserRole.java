package io.parley.domain;

/** A user's role on the whole server. Stored and sent as its lower-case name ({@link #wire()}). */
public enum UserRole {
    USER,
    ADMIN;

    /** The name in the database, in tokens and in JSON. */
    public String wire() {
        return Wire.name(this);
    }

    public static UserRole of(String wire) {
        return Wire.of(UserRole.class, wire);
    }
}
