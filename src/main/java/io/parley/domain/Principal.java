package io.parley.domain;

/** Who is calling: taken from a verified access token, or a service identity on the event bus. */
public record Principal(long userId, String kind, String role, String familyId) {

    public boolean isGuest() {
        return "guest".equals(kind);
    }

    public boolean isAdmin() {
        return "admin".equals(role);
    }
}
