package io.parley.domain;

/**
 * Who is calling: taken from a verified access token, or a service identity on the event bus.
 * {@code familyId} is the session (one sign-in); {@code endsAt} is when a guest's account ends (epoch
 * seconds), 0 for everyone else.
 */
public record Principal(long userId, UserKind kind, UserRole role, String familyId, long endsAt) {

    public Principal(long userId, UserKind kind, UserRole role, String familyId) {
        this(userId, kind, role, familyId, 0);
    }

    public boolean isGuest() {
        return kind == UserKind.GUEST;
    }

    public boolean isAdmin() {
        return role == UserRole.ADMIN;
    }
}
