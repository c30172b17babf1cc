package io.parley.auth;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.auth.PasswordHasher;
import io.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.ArrayList;
import java.util.List;
import io.parley.metrics.Metrics;

/**
 * The node's one {@link PasswordHasher}, shared by its persistence instances. The hasher's queue bound
 * (refuse when the work waiting would take longer than {@code auth.bcryptMaxWaitMs}) holds only if one
 * hasher counts everything queued on the one bcrypt pool: a hasher per instance would each count its own
 * share of the same threads, so the node would admit that many times the bound, and the gauges would
 * show the first instance only. Counted references: the last instance to stop closes it and removes its
 * meters.
 */
public final class NodeHasher {

    private static final String MAP = "parley.node.hasher";
    private static final String KEY = "hasher";

    private record Holder(PasswordHasher hasher, List<Meter> meters, int users) implements Shareable {
    }

    private NodeHasher() {
    }

    /** The node's hasher, made (and its meters registered) by the first instance to ask. */
    public static PasswordHasher acquire(Vertx vertx, ParleyConfig.Auth auth) {
        // one atomic compute: two instances starting on two event loops at once still make one hasher
        return map(vertx).compute(KEY, (k, old) -> old != null ? new Holder(old.hasher(), old.meters(), old.users() + 1)
                : create(vertx, auth)).hasher();
    }

    /** Gives back one instance's use; the last one closes the hasher. */
    public static Future<Void> release(Vertx vertx) {
        Holder[] last = {null};
        map(vertx).computeIfPresent(KEY, (k, h) -> {
            if (h.users() > 1) {
                return new Holder(h.hasher(), h.meters(), h.users() - 1);
            }
            last[0] = h;
            return null;
        });
        if (last[0] == null) {
            return Future.succeededFuture();
        }
        last[0].meters().forEach(Metrics.registry(vertx)::remove);
        return last[0].hasher().close();
    }

    /** The hasher this node's persistence instances use now, or null (for tests). */
    public static PasswordHasher current(Vertx vertx) {
        Holder h = map(vertx).get(KEY);
        return h == null ? null : h.hasher();
    }

    private static Holder create(Vertx vertx, ParleyConfig.Auth auth) {
        PasswordHasher hasher = new PasswordHasher(vertx, auth.bcryptCost(), auth.bcryptThreads(), auth.bcryptMaxWaitMs());
        List<Meter> meters = new ArrayList<>();
        MeterRegistry registry = Metrics.registry(vertx);
        meters.add(Gauge.builder("parley.auth.bcrypt.pending", hasher, PasswordHasher::pending)
                .description("Password hashes queued or running").register(registry));
        meters.add(FunctionCounter.builder("parley.auth.bcrypt.refused", hasher, PasswordHasher::refused)
                .description("Sign-ins and sign-ups refused with 503 because the hashing queue was full")
                .register(registry));
        return new Holder(hasher, List.copyOf(meters), 1);
    }

    private static LocalMap<String, Holder> map(Vertx vertx) {
        return vertx.sharedData().getLocalMap(MAP);
    }
}
