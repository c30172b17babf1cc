package io.parley.auth;

import io.parley.domain.Principal;
import io.parley.domain.User;
import io.parley.domain.UserKind;
import io.parley.domain.UserRole;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import java.util.Objects;

/**
 * Short-lived access tokens: compact JWTs signed with HMAC-SHA256. Verification accepts only
 * {@code alg: HS256} (so {@code alg: none} and algorithm confusion are refused), compares signatures in
 * constant time and checks expiry. Claims: sub (user id), fid (session family), knd (kind), rol (role),
 * iat, exp, and gxp (a guest's end, epoch seconds) for guests: a guest's token never outlives the guest.
 */
public final class TokenService {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final String HEADER = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final int ttlSeconds;
    private final ThreadLocal<Mac> macs;

    public TokenService(byte[] secret, int ttlSeconds) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the token secret must have at least 32 bytes");
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.ttlSeconds = ttlSeconds;
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    public int ttlSeconds() {
        return ttlSeconds;
    }

    public String issue(User user, UUID familyId) {
        long now = System.currentTimeMillis() / 1000;
        long exp = user.expiresAt() > 0 ? Math.min(now + ttlSeconds, user.expiresAt()) : now + ttlSeconds;
        JsonObject claims = new JsonObject().put("sub", String.valueOf(user.id())).put("fid", familyId.toString())
                .put("knd", user.kind().wire()).put("rol", user.role().wire()).put("iat", now).put("exp", exp);
        if (user.expiresAt() > 0) {
            claims.put("gxp", user.expiresAt());
        }
        String body = HEADER + "." + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
        return body + "." + B64.encodeToString(sign(body));
    }

    /** The caller of a token, or a ParleyException (UNAUTHORIZED or TOKEN_EXPIRED) saying why not. */
    public Principal verify(String token) {
        if (token == null || token.isEmpty()) {
            throw unauthorized("Sign in first: this request needs an access token.");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw unauthorized("The access token is malformed.");
        }
        JsonObject header;
        JsonObject claims;
        byte[] signature;
        try {
            header = new JsonObject(new String(B64D.decode(parts[0]), StandardCharsets.UTF_8));
            claims = new JsonObject(new String(B64D.decode(parts[1]), StandardCharsets.UTF_8));
            signature = B64D.decode(parts[2]);
        } catch (RuntimeException e) {
            throw unauthorized("The access token is malformed.");
        }
        if (!"HS256".equals(header.getValue("alg"))) {
            throw unauthorized("The access token is not signed the way Parley signs tokens.");
        }
        if (!MessageDigest.isEqual(signature, sign(parts[0] + "." + parts[1]))) {
            throw unauthorized("The access token's signature is not valid.");
        }
        try {
            long exp = claims.getLong("exp");
            long endsAt = claims.getLong("gxp", 0L);
            long now = System.currentTimeMillis() / 1000;
            if (endsAt > 0 && endsAt <= now) {
                throw new ParleyException(ErrorCode.GUEST_EXPIRED, "This guest session has ended; enter as a guest again or sign up.");
            }
            if (exp <= now) {
                throw new ParleyException(ErrorCode.TOKEN_EXPIRED, "The access token has expired; refresh it or sign in again.");
            }
            // every token names its session: a token without one could never be revoked
            String family = Objects.requireNonNull(claims.getString("fid"));
            return new Principal(Long.parseLong(claims.getString("sub")), UserKind.of(claims.getString("knd")),
                    UserRole.of(claims.getString("rol")), family, endsAt);
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw unauthorized("The access token is malformed.");
        }
    }

    /** A new opaque refresh token: 256 random bits. */
    public static String newRefreshToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return B64.encodeToString(bytes);
    }

    /** Only this hash is stored, so a leaked sessions table does not leak usable tokens. */
    public static byte[] hashRefreshToken(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] newSecret() {
        byte[] bytes = new byte[48];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private byte[] sign(String data) {
        return macs.get().doFinal(data.getBytes(StandardCharsets.US_ASCII));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ParleyException unauthorized(String message) {
        return new ParleyException(ErrorCode.UNAUTHORIZED, message);
    }
}
