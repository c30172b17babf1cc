package io.parley.persistence;

import io.vertx.core.Future;

import java.util.UUID;
import java.util.Set;

/**
 * Refresh-token sessions. A family is one sign-in: every rotation stays in it, and a reuse of a rotated
 * token revokes the whole family.
 */
public interface SessionStore {

    enum Outcome { ROTATED, UNKNOWN, EXPIRED, REVOKED, RACE_LOST, REUSED }

    /** userId and familyId are set when the outcome is ROTATED. */
    record Rotation(Outcome outcome, long userId, UUID familyId) {
    }

    Future<Long> create(long userId, byte[] refreshHash, UUID familyId, int ttlSeconds);

    /**
     * Rotates {@code oldHash} to {@code newHash} in one transaction. A token rotated less than
     * {@code graceSeconds} ago is a lost race of two concurrent refreshes (RACE_LOST, nothing revoked);
     * an older rotated token is a reuse: its whole family is revoked (REUSED).
     */
    Future<Rotation> rotate(byte[] oldHash, byte[] newHash, int ttlSeconds, int graceSeconds);

    Future<Void> revokeFamily(UUID familyId, long userId);

    /** Ends every session of the user but {@code keepFamilyId}; answers the families ended. */
    Future<Set<UUID>> revokeOtherFamilies(long userId, UUID keepFamilyId);

    /** Whether the family is still signed in: not signed out, not revoked, not expired. */
    Future<Boolean> familyActive(UUID familyId);
}
