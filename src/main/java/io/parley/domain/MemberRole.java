package io.parley.domain;

/** A member's role in one channel. Stored and sent as its lower-case name ({@link #wire()}). */
public enum MemberRole {
    OWNER,
    MODERATOR,
    MEMBER;

    /** The name in the database, in tokens and in JSON. */
    public String wire() {
        return Wire.name(this);
    }

    public static MemberRole of(String wire) {
        return Wire.of(MemberRole.class, wire);
    }
}
