package io.parley.auth;

import io.parley.cache.Cache;
import io.parley.chat.Input;
import io.parley.config.ParleyConfig;
import io.parley.domain.Principal;
import io.parley.domain.Tokens;
import io.parley.domain.User;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.persistence.SessionStore;
import io.parley.persistence.UserStore;
import io.vertx.core.Future;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** Sign-up, sign-in, refresh rotation, sign-out, guests and password changes. Input is already validated. */
public final class AuthService {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final UserStore users;
    private final SessionStore sessions;
    private final PasswordHasher hasher;
    private final TokenService tokens;
    private final Cache cache;
    private final ParleyConfig.Auth config;

    public AuthService(UserStore users, SessionStore sessions, PasswordHasher hasher, TokenService tokens, Cache cache,
                       ParleyConfig.Auth config) {
        this.users = users;
        this.sessions = sessions;
        this.hasher = hasher;
        this.tokens = tokens;
        this.cache = cache;
        this.config = config;
    }

    public Future<Tokens> signup(String handle, String password, String displayName, String phoneNumber) {
        String name = displayName == null || displayName.isBlank() ? handle : displayName;
        // one's own handle is a fine display name; anyone else's (or a look-alike of it) is impersonation
        String asHandle = Input.asHandle(name);
        String check = asHandle == null || asHandle.equalsIgnoreCase(handle) ? null : asHandle;
        return hasher.hash(password)
                .compose(hash -> users.create(handle, name, phoneNumber, hash, "member", null, check))
                .compose(user -> newSession(user, config.refreshTokenTtlSeconds()));
    }

    /** identifier is a handle, or a phone number when it starts with '+'. */
    public Future<Tokens> signin(String identifier, String password) {
        String throttleKey = "signin-failures:" + identifier.toLowerCase(Locale.ROOT);
        return cache.get(throttleKey).compose(count -> {
            if (count != null && Long.parseLong(count) >= config.signinMaxFailures()) {
                return Future.failedFuture(ParleyException.of(ErrorCode.TOO_MANY_SIGNINS,
                        "Too many failed sign-ins for this account; wait a few minutes and try again."));
            }
            Future<Optional<User>> lookup = identifier.startsWith("+") ? users.byPhoneNumber(identifier) : users.byHandle(identifier);
            return lookup.compose(user -> hasher.verify(password, user.map(User::passwordHash).orElse(null))
                    .compose(ok -> {
                        if (!ok) {
                            return cache.increment(throttleKey, config.signinWindowSeconds())
                                    .compose(n -> Future.failedFuture(ParleyException.of(ErrorCode.INVALID_CREDENTIALS,
                                            "The handle or password is wrong.")));
                        }
                        return cache.delete(throttleKey).compose(v -> newSession(user.get(), config.refreshTokenTtlSeconds()));
                    }));
        });
    }

    public Future<Tokens> guest(String displayName) {
        String handle = "guest-" + HexFormat.of().formatHex(randomBytes(5));
        return users.create(handle, displayName, null, null, "guest", config.guestTtlSeconds(), Input.asHandle(displayName))
                .compose(user -> newSession(user, Math.min(config.guestTtlSeconds(), config.refreshTokenTtlSeconds())));
    }

    public Future<Tokens> refresh(String refreshToken) {
        String next = TokenService.newRefreshToken();
        return sessions.rotate(TokenService.hashRefreshToken(refreshToken), TokenService.hashRefreshToken(next),
                        config.refreshTokenTtlSeconds(), config.refreshReuseGraceSeconds())
                .compose(rotation -> switch (rotation.outcome()) {
                    case ROTATED -> users.byId(rotation.userId()).compose(user -> user
                            .map(u -> Future.succeededFuture(new Tokens(u, tokens.issue(u, rotation.familyId()), tokens.ttlSeconds(), next)))
                            .orElseGet(() -> Future.failedFuture(unauthorized("This account no longer exists."))));
                    case UNKNOWN -> Future.failedFuture(unauthorized("The refresh token is not valid; sign in again."));
                    case EXPIRED -> Future.failedFuture(unauthorized("The session has expired; sign in again."));
                    case REVOKED -> Future.failedFuture(unauthorized("This session was signed out; sign in again."));
                    case RACE_LOST -> Future.failedFuture(ParleyException.of(ErrorCode.REFRESH_REUSED,
                            "This refresh token was just used by another request; use the tokens that request received."));
                    case REUSED -> Future.failedFuture(ParleyException.of(ErrorCode.REFRESH_REUSED,
                            "This refresh token was already used, so the session was ended for safety; sign in again."));
                });
    }

    public Future<Void> signout(Principal principal) {
        return sessions.revokeFamily(UUID.fromString(principal.familyId()), principal.userId());
    }

    /** Needs the current password; wrong guesses are throttled like sign-ins (a stolen access token is not enough). */
    public Future<Void> changePassword(Principal principal, String currentPassword, String newPassword) {
        String throttleKey = "password-failures:" + principal.userId();
        return cache.get(throttleKey).compose(count -> count != null && Long.parseLong(count) >= config.signinMaxFailures()
                        ? Future.failedFuture(ParleyException.of(ErrorCode.TOO_MANY_SIGNINS,
                        "Too many wrong passwords for this account; wait a few minutes and try again."))
                        : users.byId(principal.userId()))
                .compose(user -> hasher.verify(currentPassword, user.map(User::passwordHash).orElse(null)))
                .compose(ok -> ok ? hasher.hash(newPassword)
                        : cache.increment(throttleKey, config.signinWindowSeconds()).compose(n -> Future.failedFuture(
                        ParleyException.of(ErrorCode.INVALID_CREDENTIALS, "The current password is wrong."))))
                .compose(hash -> users.setPassword(principal.userId(), hash))
                .compose(v -> sessions.revokeOtherFamilies(principal.userId(), UUID.fromString(principal.familyId())));
    }

    private Future<Tokens> newSession(User user, int refreshTtlSeconds) {
        UUID family = UUID.randomUUID();
        String refresh = TokenService.newRefreshToken();
        return sessions.create(user.id(), TokenService.hashRefreshToken(refresh), family, refreshTtlSeconds)
                .map(id -> new Tokens(user, tokens.issue(user, family), tokens.ttlSeconds(), refresh));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static ParleyException unauthorized(String message) {
        return ParleyException.of(ErrorCode.UNAUTHORIZED, message);
    }
}
