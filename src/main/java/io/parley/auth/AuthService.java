package io.parley.auth;

import io.parley.cache.Cache;
import io.parley.config.ParleyConfig;
import io.parley.domain.Principal;
import io.parley.domain.Tokens;
import io.parley.domain.User;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.persistence.SessionStore;
import io.parley.persistence.UserStore;
import io.parley.limits.Durations;
import io.parley.limits.Quotas;
import io.parley.limits.Quotas.Quota;
import io.vertx.core.Future;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import io.parley.bus.AuthApi;
import io.parley.domain.UserKind;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/** Sign-up, sign-in, refresh rotation, sign-out, guests and password changes. Input is already validated. */
public final class AuthService implements AuthApi {

    private static final Pattern HANDLE = Pattern.compile("[A-Za-z0-9_]{3,32}");


    private static final SecureRandom RANDOM = new SecureRandom();

    private final UserStore users;
    private final SessionStore sessions;
    private final PasswordHasher hasher;
    private final TokenService tokens;
    private final Cache cache;
    private final ParleyConfig.Auth config;

    private final Admission admission;
    private final Quotas quotas;
    private final ParleyConfig.Limits limits;
    private final Revoker revoker;

    /** Tells every node that sessions have ended (their tokens refused, their sockets closed); never fails. */
    @FunctionalInterface
    public interface Revoker {
        Future<Void> revoke(Collection<UUID> families);
    }

    public AuthService(UserStore users, SessionStore sessions, PasswordHasher hasher, TokenService tokens, Cache cache,
                       ParleyConfig.Auth config, ParleyConfig.Limits limits, Admission admission, Quotas quotas, Revoker revoker) {
        this.revoker = revoker;
        this.users = users;
        this.sessions = sessions;
        this.hasher = hasher;
        this.tokens = tokens;
        this.cache = cache;
        this.config = config;
        this.limits = limits;
        this.admission = admission;
        this.quotas = quotas;
    }

    /** {@code address} is the client's address, for the per-address quota and the fair share of the bcrypt pool. */
    @Override
    public Future<Tokens> signup(String address, String handle, String password, String displayName, String phoneNumber) {
        String name = displayName == null || displayName.isBlank() ? handle : displayName;
        // one's own handle is a fine display name; anyone else's (or a look-alike of it) is impersonation
        String asHandle = asHandle(name);
        String check = asHandle == null || asHandle.equalsIgnoreCase(handle) ? null : asHandle;
        return quotas.take(Quota.SIGNUP, address, 1, limits.signupsPerAddressPerHour(), Quotas.HOUR_MILLIS)
                .compose(v -> admission.admit(address, () -> hasher.hash(address, password))
                        .compose(hash -> users.create(handle, name, phoneNumber, hash, UserKind.MEMBER, null, check))
                        // only accounts made count: a taken handle or a full queue gives the sign-up back
                        .onFailure(t -> quotas.giveBack(Quota.SIGNUP, address, 1, Quotas.HOUR_MILLIS)))
                .compose(user -> newSession(user, config.refreshTokenTtlSeconds()));
    }

    /**
     * identifier is a handle, or a phone number when it starts with '+'. Failed attempts are counted per
     * (identifier, address) pair, and that pair is refused after {@code auth.signinMaxFailures}; so a
     * stranger's guesses lock only the stranger out, not the owner signing in from elsewhere. Across all
     * addresses, {@code limits.signinFailuresPerHandle} attempts per window slow a guesser with many
     * addresses: past it, only addresses this account signed in from before are let through. Each attempt
     * is counted before its password is checked, atomically, so concurrent guesses can never get more
     * checks than the limit.
     */
    @Override
    public Future<Tokens> signin(String address, String identifier, String password) {
        String id = identifier.toLowerCase(Locale.ROOT);
        String pairKey = "signin-failures:" + id + "@" + address;
        String handleKey = "signin-failures:" + id;
        String knownKey = "signin-known:" + id + "@" + address;
        long window = config.signinWindowSeconds() * 1000L;
        return admission.admit(address, () -> cache.add(pairKey, 1, window).compose(pair -> {
            if (pair.count() > config.signinMaxFailures()) {
                return Future.failedFuture(new ParleyException(ErrorCode.TOO_MANY_SIGNINS, "Too many failed sign-ins for this "
                        + "account from your address; try again in " + Durations.human(pair.retryAfterSeconds()) + ".",
                        pair.retryAfterSeconds()));
            }
            return cache.add(handleKey, 1, window).compose(all -> all.count() <= limits.signinFailuresPerHandle()
                    ? Future.succeededFuture()
                    : cache.get(knownKey).compose(known -> known != null ? Future.succeededFuture()
                    : Future.failedFuture(new ParleyException(ErrorCode.TOO_MANY_SIGNINS, "Too many failed sign-ins for this "
                    + "account; try again in " + Durations.human(all.retryAfterSeconds()) + ", or from where you signed in before.",
                    all.retryAfterSeconds()))));
        }).compose(v -> {
            Future<Optional<User>> lookup = identifier.startsWith("+") ? users.byPhoneNumber(identifier) : users.byHandle(identifier);
            // an unknown handle is verified against the dummy hash: it takes as long as a wrong password
            return lookup.compose(user -> hasher.verify(address, password, user.map(User::passwordHash).orElse(null)).compose(ok -> {
                if (!ok) {
                    return Future.failedFuture(ParleyException.of(ErrorCode.INVALID_CREDENTIALS, "The handle or password is wrong."));
                }
                // the owner's success clears this pair, takes its attempt off the handle's count, and marks the address known
                return Future.join(cache.delete(pairKey), cache.add(handleKey, -1, window),
                                cache.set(knownKey, "1", KNOWN_ADDRESS_SECONDS))
                        .transform(ar -> newSession(user.get(), config.refreshTokenTtlSeconds()));
            }));
        }).recover(t -> overloaded(t)
                // a full queue checked nothing: the attempt is given back, so the owner's retries never lock the owner out
                ? Future.join(cache.add(pairKey, -1, window), cache.add(handleKey, -1, window)).transform(ar -> Future.failedFuture(t))
                : Future.failedFuture(t)));
    }

    private static boolean overloaded(Throwable t) {
        return t instanceof ParleyException p && p.code() == ErrorCode.OVERLOADED;
    }

    /** An address a handle signed in from stays known this long (it may sign in while the handle is under attack). */
    private static final int KNOWN_ADDRESS_SECONDS = 30 * 86400;

    @Override
    public Future<Tokens> guest(String address, String displayName) {
        String handle = "guest-" + HexFormat.of().formatHex(randomBytes(5));
        return quotas.take(Quota.GUEST, address, 1, limits.guestsPerAddressPerHour(), Quotas.HOUR_MILLIS)
                .compose(v -> users.create(handle, displayName, null, null, UserKind.GUEST, config.guestTtlSeconds(), asHandle(displayName)))
                .compose(user -> newSession(user, Math.min(config.guestTtlSeconds(), config.refreshTokenTtlSeconds())));
    }

    @Override
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
                    case REUSED -> revoker.revoke(List.of(rotation.familyId())).transform(ar -> Future.failedFuture(
                            ParleyException.of(ErrorCode.REFRESH_REUSED,
                            "This refresh token was already used, so the session was ended for safety; sign in again.")));
                });
    }

    /** Ends the caller's session in the database, then everywhere else (its tokens and sockets). */
    @Override
    public Future<Void> signout(Principal principal) {
        UUID family = UUID.fromString(principal.familyId());
        return sessions.revokeFamily(family, principal.userId()).compose(v -> revoker.revoke(List.of(family)));
    }

    /** Whether a session (family id as text) is still signed in; anything that is not a session id is not. */
    @Override
    public Future<Boolean> sessionActive(String familyId) {
        UUID family;
        try {
            family = UUID.fromString(familyId);
        } catch (IllegalArgumentException | NullPointerException e) {
            return Future.succeededFuture(false);
        }
        return sessions.familyActive(family);
    }

    /**
     * Needs the current password. Wrong guesses are throttled per session (the token's session family):
     * after {@code auth.signinMaxFailures} in the window that session cannot change the password, so a
     * stolen access token cannot guess on; the owner's other sessions are not affected. The attempt is
     * counted before the check, atomically; a right password clears the count.
     */
    @Override
    public Future<Void> changePassword(Principal principal, String address, String currentPassword, String newPassword) {
        String throttleKey = "password-failures:" + principal.familyId();
        long window = config.signinWindowSeconds() * 1000L;
        return admission.admit(address, () -> cache.add(throttleKey, 1, window).compose(w -> w.count() > config.signinMaxFailures()
                        ? Future.failedFuture(new ParleyException(ErrorCode.TOO_MANY_SIGNINS, "Too many wrong passwords in this "
                        + "session; try again in " + Durations.human(w.retryAfterSeconds()) + ".", w.retryAfterSeconds()))
                        : users.byId(principal.userId()))
                .compose(user -> hasher.verify(address, currentPassword, user.map(User::passwordHash).orElse(null)))
                .compose(ok -> ok ? cache.delete(throttleKey).compose(v -> hasher.hash(address, newPassword))
                        : Future.failedFuture(ParleyException.of(ErrorCode.INVALID_CREDENTIALS, "The current password is wrong.")))
                .recover(t -> overloaded(t) ? cache.add(throttleKey, -1, window).transform(ar -> Future.failedFuture(t))
                        : Future.failedFuture(t)))
                .compose(hash -> users.setPassword(principal.userId(), hash))
                .compose(v -> sessions.revokeOtherFamilies(principal.userId(), UUID.fromString(principal.familyId())))
                .compose(ended -> ended.isEmpty() ? Future.succeededFuture() : revoker.revoke(ended));
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

    /**
     * A display name read as a handle (without a leading "@", as clients show handles), or null when it
     * could not be one: only such names are compared with other users' handles.
     */
    static String asHandle(String displayName) {
        if (displayName == null) {
            return null;
        }
        String s = displayName.strip();
        if (s.startsWith("@")) {
            s = s.substring(1).strip();
        }
        return HANDLE.matcher(s).matches() ? s : null;
    }


    @Override
    public Future<User> me(Principal principal) {
        return users.byId(principal.userId()).map(u -> u.orElseThrow(() ->
                ParleyException.of(ErrorCode.UNAUTHORIZED, "This account no longer exists.")));
    }

    @Override
    public Future<java.util.List<User>> users(Principal p, java.util.List<Long> ids, String handle) {
        return handle != null ? users.byHandle(handle).map(u -> u.map(java.util.List::of).orElse(java.util.List.of()))
                : users.byIds(ids, p.userId());
    }

    @Override
    public Future<Principal> service(long userId) {
        return users.byId(userId).compose(u -> u.isPresent() && u.get().kind() == UserKind.SERVICE
                ? Future.succeededFuture(new Principal(userId, UserKind.SERVICE, u.get().role(), new UUID(0, 0).toString()))
                : Future.failedFuture(ParleyException.of(ErrorCode.FORBIDDEN, "User " + userId + " is not a service user.")));
    }
}
