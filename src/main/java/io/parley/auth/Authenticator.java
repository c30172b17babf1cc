package io.parley.auth;

import io.parley.bus.AuthApi;
import io.parley.domain.Principal;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;

import java.util.List;

/**
 * Admits an access token at the edge (HTTP requests and the WebSocket upgrade): its signature and expiry
 * ({@link TokenService}), then whether its session has ended ({@link Revocations}). While the node's view
 * of ended sessions is trusted this costs no I/O; when it is not (the shared record unread for longer
 * than {@code auth.revocationTrustSeconds}), the database is asked, at most once per second per session.
 */
public final class Authenticator {

    private final TokenService tokens;
    private final Revocations revocations;
    private final AuthApi auth;

    /** {@code auth}: where a session whose state this node cannot vouch for is checked (the database). */
    public Authenticator(TokenService tokens, Revocations revocations, AuthApi auth) {
        this.tokens = tokens;
        this.revocations = revocations;
        this.auth = auth;
    }

    public Revocations revocations() {
        return revocations;
    }

    /** The caller of a token, or a failed future with a ParleyException (401, or 503 when no one can tell). */
    public Future<Principal> authenticate(String token) {
        Principal p;
        try {
            p = tokens.verify(token);
        } catch (ParleyException e) {
            return Future.failedFuture(e);
        }
        if (revocations.revoked(p)) {
            return Future.failedFuture(revoked());
        }
        if (revocations.trusted() || revocations.confirmedLive(p.familyId())) {
            return Future.succeededFuture(p);
        }
        return auth.sessionActive(p.familyId()).transform(ar -> {
            if (ar.failed()) {
                return Future.failedFuture(ParleyException.of(ErrorCode.UNAVAILABLE,
                        "Parley cannot confirm your session right now; try again in a moment."));
            }
            if (Boolean.TRUE.equals(ar.result())) {
                revocations.confirmLive(p.familyId());
                return Future.succeededFuture(p);
            }
            revocations.add(List.of(p.familyId()), System.currentTimeMillis());
            return Future.failedFuture(revoked());
        });
    }

    public static ParleyException revoked() {
        return ParleyException.of(ErrorCode.SESSION_REVOKED, "This session has ended (signed out, or the password was changed); sign in again.");
    }
}
