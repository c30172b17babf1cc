package io.parley.persistence;

import io.parley.domain.User;
import io.vertx.core.Future;

import java.util.Optional;
import io.parley.domain.UserKind;
import java.util.Collection;
import java.util.Map;

/**
 * Users. A duplicate handle, or one too similar to an existing handle, fails with HANDLE_TAKEN; a phone
 * number that is already registered is silently not attached (see docs/decisions.md).
 */
public interface UserStore {

    /**
     * ttlSeconds null: the user does not expire (guests have one). {@code displayNameAsHandle}, when not
     * null, must not be (or look like) another user's handle, else the user is not created (VALIDATION).
     */
    Future<User> create(String handle, String displayName, String phoneNumber, String passwordHash, UserKind kind,
                        Integer ttlSeconds, String displayNameAsHandle);

    /** The kind of each named user that exists (missing ids are absent), in one query. */
    Future<Map<Long, UserKind>> kinds(Collection<Long> ids);

    Future<Optional<User>> byId(long id);

    Future<Optional<User>> byHandle(String handle);

    /** The users among {@code ids} that exist and that {@code viewerId} may see (see SqlQueries.USER_BY_IDS), by id. */
    Future<java.util.List<User>> byIds(java.util.List<Long> ids, long viewerId);

    Future<Optional<User>> byPhoneNumber(String phoneNumber);

    Future<Void> setPassword(long userId, String passwordHash);
}
