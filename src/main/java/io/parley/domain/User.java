package io.parley.domain;

/**
 * A person, a guest or an internal service. {@code passwordHash} is null for guests and services;
 * {@code expiresAt} is when a guest ends (epoch seconds), 0 for accounts that do not expire.
 */
public record User(long id, String handle, String displayName, UserKind kind, UserRole role, String phoneNumber,
                   String passwordHash, long expiresAt) {

    public boolean isGuest() {
        return kind == UserKind.GUEST;
    }

    public boolean isAdmin() {
        return role == UserRole.ADMIN;
    }
}
