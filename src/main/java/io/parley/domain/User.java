package io.parley.domain;

/** A person, a guest or an internal service. {@code passwordHash} is null for guests and services. */
public record User(long id, String handle, String displayName, String kind, String role, String phoneNumber,
                   String passwordHash) {

    public boolean isGuest() {
        return "guest".equals(kind);
    }

    public boolean isAdmin() {
        return "admin".equals(role);
    }
}
