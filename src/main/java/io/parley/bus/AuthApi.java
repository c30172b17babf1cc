package io.parley.bus;

import io.parley.domain.Principal;
import io.parley.domain.Tokens;
import io.parley.domain.User;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;

/**
 * Accounts and sessions, as the edges call them. {@code address} is the client's address as the edge saw
 * it (the per-address limits key on it). Served node-locally at {@link Addresses#AUTH}.
 */
public interface AuthApi {

    Future<Tokens> signup(String address, String handle, String password, String displayName, String phoneNumber);

    Future<Tokens> signin(String address, String identifier, String password);

    Future<Tokens> guest(String address, String displayName);

    Future<Tokens> refresh(String refreshToken);

    Future<Void> signout(Principal principal);

    /** Whether a session family is still signed in, from the database. */
    Future<Boolean> sessionActive(String familyId);

    Future<Void> changePassword(Principal principal, String address, String currentPassword, String newPassword);

    /** The caller's account; 401 when it no longer exists. */
    Future<User> me(Principal principal);

    /** Users to show by name: those among {@code ids} the caller shares a channel or a room with, or the one with {@code handle}. */
    Future<java.util.List<User>> users(Principal p, java.util.List<Long> ids, String handle);

    /** The principal of a service user (internal services act as one); any other kind of user is refused. */
    Future<Principal> service(long userId);

    /** The node-local client of the auth service. */
    static AuthApi client(EventBus bus) {
        return new AuthApi() {
            private <T> Future<T> call(Local.Call<AuthApi, T> c) {
                return Local.call(bus, Addresses.AUTH, c);
            }

            @Override
            public Future<Tokens> signup(String address, String handle, String password, String displayName, String phoneNumber) {
                return call(a -> a.signup(address, handle, password, displayName, phoneNumber));
            }

            @Override
            public Future<Tokens> signin(String address, String identifier, String password) {
                return call(a -> a.signin(address, identifier, password));
            }

            @Override
            public Future<Tokens> guest(String address, String displayName) {
                return call(a -> a.guest(address, displayName));
            }

            @Override
            public Future<Tokens> refresh(String refreshToken) {
                return call(a -> a.refresh(refreshToken));
            }

            @Override
            public Future<Void> signout(Principal principal) {
                return call(a -> a.signout(principal));
            }

            @Override
            public Future<Boolean> sessionActive(String familyId) {
                return call(a -> a.sessionActive(familyId));
            }

            @Override
            public Future<Void> changePassword(Principal principal, String address, String currentPassword, String newPassword) {
                return call(a -> a.changePassword(principal, address, currentPassword, newPassword));
            }

            @Override
            public Future<User> me(Principal principal) {
                return call(a -> a.me(principal));
            }

            @Override
            public Future<java.util.List<User>> users(Principal p, java.util.List<Long> ids, String handle) {
                return call(a -> a.users(p, ids, handle));
            }

            @Override
            public Future<Principal> service(long userId) {
                return call(a -> a.service(userId));
            }
        };
    }

    /** Serves {@code impl} at this interface's address for the calling verticle instance. */
    static Local.Served serve(EventBus bus, AuthApi impl) {
        return Local.serve(bus, Addresses.AUTH, impl);
    }
}
