package io.parley.auth;

import io.parley.bus.Addresses;
import io.parley.cache.Cache;
import io.parley.config.ParleyConfig;
import io.vertx.core.VerticleBase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.bus.Local;
import io.parley.bus.RevocationApi;
import io.parley.metrics.Metrics;
import java.util.Collection;
import java.util.UUID;

/**
 * One per node: spreads ended sessions to every node, so that their access tokens are refused and their
 * sockets closed everywhere within about a second.
 * <ul>
 *   <li>{@code parley.local.auth.revoke} (from this node's persistence, after the database has the
 *       revocation): the node's own view first (its next request with that token is refused), then the
 *       cluster-wide event {@code parley.auth.revoked}, then the shared record in Redis.</li>
 *   <li>{@code parley.auth.revoked} from any node: into this node's view.</li>
 *   <li>Every {@code auth.revocationSyncMillis}: the shared record's new entries, for what the event
 *       missed (a partition, a node that was starting). Each time the read succeeds the view is trusted
 *       again for {@code auth.revocationTrustSeconds}.</li>
 * </ul>
 * Families new to this node are published on {@code parley.local.auth.ended}: each edge closes their
 * sockets with 4001.
 */
public final class RevocationVerticle extends VerticleBase implements RevocationApi {

    private static final Logger LOG = LoggerFactory.getLogger(RevocationVerticle.class);
    /** The shared record's key (a sorted set of "f:&lt;family&gt;" by time of revocation). */
    static final String RECORD = "revocations";
    /** Entries read per sync at most; a longer backlog is read over the next syncs. */
    static final int SYNC_BATCH = 10_000;
    /** A sync reads again from a little before the last one, for entries written while it read. */
    private static final long SYNC_OVERLAP_MILLIS = 2_000;

    private Revocations revocations;
    /** Where the shared record lives: the node's shared cache (Redis, or in-process on a single node). */
    private final Cache record;
    private long retainMillis;
    private long timer = -1;
    private long sinceMillis;
    private boolean syncing;
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private Local.Served served;

    /** Records ended sessions here, tells every node, and writes them to the shared record (bounded wait). */
    @Override
    public Future<Void> revoke(Collection<UUID> ended) {
        List<String> families = ended.stream().map(UUID::toString).toList();
        apply(families, System.currentTimeMillis());
        vertx.eventBus().publish(Addresses.AUTH_REVOKED, new JsonObject().put("families", new JsonArray(families)));
        return record.recordAdd(RECORD, families.stream().map(f -> "f:" + f).toList(), retainMillis)
                .onFailure(t -> LOG.warn("Ended sessions not written to the shared record ({}); the cluster event carries them", t.toString()))
                .<Void>mapEmpty().otherwiseEmpty();
    }

    /** {@code record}: the node's shared cache, which holds the cluster's record of ended sessions. */
    public RevocationVerticle(Cache record) {
        this.record = record;
    }

    /** The node's one view of ended sessions, shared by its verticles. */
    public static Revocations shared(Vertx vertx, ParleyConfig.Auth auth) {
        LocalMap<String, Holder> map = vertx.sharedData().getLocalMap("parley.node.revocations");
        return map.computeIfAbsent("view", k -> new Holder(new Revocations(retainMillis(auth), auth.revocationTrustSeconds() * 1000L)))
                .revocations();
    }

    private record Holder(Revocations revocations) implements Shareable {
    }

    /** A family matters while a token issued to it before its revocation can still be valid. */
    static long retainMillis(ParleyConfig.Auth auth) {
        return auth.accessTokenTtlSeconds() * 1000L + 60_000;
    }

    @Override
    public Future<?> start() {
        ParleyConfig config = ParleyConfig.from(config());
        revocations = shared(vertx, config.auth());
        retainMillis = retainMillis(config.auth());
        MeterRegistry registry = Metrics.registry(vertx);
        Gauge.builder("parley.auth.revocations", revocations, Revocations::size)
                .description("Ended sessions this node remembers (their access tokens are refused)").register(registry);
        Gauge.builder("parley.auth.revocations.stale", revocations, r -> r.staleMillis() / 1000.0)
                .description("Seconds since this node last read the shared record of ended sessions").baseUnit("seconds")
                .register(registry);
        served = RevocationApi.serve(vertx.eventBus(), this);
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.AUTH_REVOKED,
                msg -> apply(families(msg.body()), System.currentTimeMillis())));
        Future<Void> registered = Future.all(served.ready(),
                Future.all(consumers.stream().map(MessageConsumer::completion).toList())).mapEmpty();
        sinceMillis = 0;
        // the first read takes everything still relevant; a node that cannot read it starts untrusted
        return registered.compose(v -> sync().recover(t -> {
            revocations.distrust();
            return Future.succeededFuture();
        })).onSuccess(v -> timer = vertx.setPeriodic(config.auth().revocationSyncMillis(), id -> {
            if (!syncing) {
                sync();
            }
        }));
    }

    /** Reads the record's entries since the last read into the view; trusted again if it answered. */
    private Future<Void> sync() {
        syncing = true;
        return record.recordSince(RECORD, sinceMillis, SYNC_BATCH).map(records -> {
            List<String> families = new ArrayList<>(records.entries().size());
            long newest = sinceMillis;
            for (Map.Entry<String, Long> e : records.entries()) {
                if (e.getKey().startsWith("f:")) {
                    families.add(e.getKey().substring(2));
                }
                newest = Math.max(newest, e.getValue());
            }
            if (!families.isEmpty()) {
                apply(families, System.currentTimeMillis());
            }
            // a full batch continues from its last entry; otherwise from the read's time, less the overlap
            sinceMillis = records.entries().size() >= SYNC_BATCH ? newest : Math.max(sinceMillis, records.nowMillis() - SYNC_OVERLAP_MILLIS);
            revocations.synced();
            return (Void) null;
        }).andThen(ar -> syncing = false);
    }

    private void apply(List<String> families, long atMillis) {
        List<String> fresh = revocations.add(families, atMillis);
        if (!fresh.isEmpty()) {
            vertx.eventBus().publish(Addresses.AUTH_ENDED, new JsonObject().put("families", new JsonArray(fresh)),
                    new DeliveryOptions().setLocalOnly(true));
        }
    }

    private static List<String> families(JsonObject body) {
        JsonArray list = body == null ? null : body.getJsonArray("families");
        List<String> out = new ArrayList<>();
        if (list != null) {
            for (Object o : list) {
                if (o instanceof String s && !s.isEmpty() && s.length() <= 64) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    @Override
    public Future<?> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        Future<?> unregistered = Future.join(served == null ? Future.succeededFuture() : served.stop(2_000),
                Future.join(consumers.stream().map(MessageConsumer::unregister).toList()));
        return unregistered;
    }
}
