package io.parley.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.domain.Principal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What this node knows of ended sessions (session families that signed out, were revoked by a password
 * change or a refresh-token reuse). Shared by every verticle of the node; thread-safe.
 * <p>
 * A family needs remembering only while an access token issued to it can still be valid, so each entry
 * lives {@code retainMillis} (the access-token lifetime plus a margin) from its revocation. The map is
 * bounded: past {@link #MAX_ENTRIES} the oldest go first, and those are the ones nearest to being
 * useless anyway.
 * <p>
 * The node's view is fed by the cluster-wide revocation event and by a periodic read of the shared
 * record (Redis), which catches what a node missed (a partition, a restart). {@link #trusted()} is false
 * once that read has not succeeded for {@code trustMillis}: the edges then ask the database about each
 * session instead of trusting this view (see {@link RevocationVerticle}).
 */
public final class Revocations {

    /** The most families remembered at once (about 150 bytes each). */
    public static final int MAX_ENTRIES = 1_000_000;

    private final Cache<String, Long> families;
    /** Sessions the database confirmed live while this view was not trusted: asked once per second at most. */
    private final Cache<String, Boolean> confirmed;
    private final long trustMillis;
    private final LongSupplier clock;
    private volatile long syncedAtMillis;

    public Revocations(long retainMillis, long trustMillis) {
        this(retainMillis, trustMillis, System::currentTimeMillis);
    }

    Revocations(long retainMillis, long trustMillis, LongSupplier clock) {
        this.families = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(Duration.ofMillis(retainMillis)).build();
        this.confirmed = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofSeconds(1)).build();
        this.trustMillis = trustMillis;
        this.clock = clock;
        this.syncedAtMillis = clock.getAsLong();
    }

    /** Whether the principal's session has ended, as far as this node knows. */
    public boolean revoked(Principal p) {
        return p.familyId() != null && families.getIfPresent(p.familyId()) != null;
    }

    /** Records ended families; answers those this node did not know yet (whose sockets are still to close). */
    public List<String> add(Collection<String> ended, long revokedAtMillis) {
        List<String> fresh = new ArrayList<>();
        for (String family : ended) {
            confirmed.invalidate(family);
            if (families.asMap().putIfAbsent(family, revokedAtMillis) == null) {
                fresh.add(family);
            }
        }
        return fresh;
    }

    /** The shared record was read completely just now. */
    public void synced() {
        syncedAtMillis = clock.getAsLong();
    }

    /** The shared record could not be read at all (at start): trust nothing until it can. */
    public void distrust() {
        syncedAtMillis = clock.getAsLong() - trustMillis - 1;
    }

    /** False when the shared record has not been read for longer than the trust bound (Redis is down). */
    public boolean trusted() {
        return clock.getAsLong() - syncedAtMillis <= trustMillis;
    }

    /** Milliseconds since the shared record was last read. */
    public long staleMillis() {
        return Math.max(0, clock.getAsLong() - syncedAtMillis);
    }

    /** Whether the database confirmed this session live within the last second. */
    public boolean confirmedLive(String family) {
        return confirmed.getIfPresent(family) != null;
    }

    public void confirmLive(String family) {
        confirmed.put(family, Boolean.TRUE);
    }

    public long size() {
        return families.estimatedSize();
    }
}
