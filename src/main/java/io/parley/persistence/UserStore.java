package io.parley.persistence;

import io.parley.domain.User;
import io.vertx.core.Future;

import java.util.Optional;

/** Users. A duplicate handle or phone number fails with HANDLE_TAKEN / PHONE_TAKEN. */
public interface UserStore {

    /** ttlSeconds null: the user does not expire (guests have one). */
    Future<User> create(String handle, String displayName, String phoneNumber, String passwordHash, String kind,
                        Integer ttlSeconds);

    Future<Optional<User>> byId(long id);

    Future<Optional<User>> byHandle(String handle);

    Future<Optional<User>> byPhoneNumber(String phoneNumber);

    Future<Void> setPassword(long userId, String passwordHash);
}
