package io.parley.chat;

import io.parley.bus.ChatEvents;
import io.parley.bus.LoungesApi;
import io.parley.bus.Views;
import io.parley.domain.Lounge;
import io.parley.domain.Principal;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.persistence.LoungeStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Lounges and rooms. The list is what every client opens with, guests included, and changes only when
 * an admin changes a lounge or room: it is kept in this process, rendered once, and dropped exactly on
 * every change (this node's, and other nodes' through {@link #changed()}, which the node wires to a
 * cluster-wide event). A change that lands while the list is read from PostgreSQL leaves that read
 * unstored, so no older list is kept after a change. Five minutes bound an entry's life should an event
 * be lost. Members and online counts move all the time: they are read in one query for all rooms, at most
 * every {@link #COUNTS_MILLIS}, so they are at most that old. Single-threaded: one instance per services
 * verticle instance, called on its event loop.
 */
public final class Lounges implements LoungesApi {

    static final long LIST_MILLIS = 5 * 60_000;
    static final long COUNTS_MILLIS = 15_000;

    private final LoungeStore store;
    /** Tells the other nodes that the lounges changed (this node's own list is dropped here). */
    private final Runnable announce;
    private final ChatEvents events;
    private final LongSupplier clock;

    /** Bumped by every change: a read started under an older generation is not kept. */
    private long generation;
    private List<Lounge> lounges;
    private long loungesGeneration = -1;
    private long loungesAt;
    private Future<List<Lounge>> loading;
    private long loadingGeneration;

    private Map<Long, Lounge.Counts> counts;
    private long countsAt;
    private List<Lounge> countsFor;
    private Future<Map<Long, Lounge.Counts>> counting;

    private Buffer rendered;
    private List<Lounge> renderedLounges;
    private Map<Long, Lounge.Counts> renderedCounts;

    public Lounges(LoungeStore store, Runnable announce, ChatEvents events) {
        this(store, announce, events, System::currentTimeMillis);
    }

    Lounges(LoungeStore store, Runnable announce, ChatEvents events, LongSupplier clock) {
        this.store = store;
        this.announce = announce;
        this.events = events;
        this.clock = clock;
    }

    /** A lounge or room changed somewhere in the cluster: the list is read again on its next ask. */
    public void changed() {
        generation++;
        lounges = null;
        loading = null;
        rendered = null;
    }

    @Override
    public Future<Buffer> list(Principal p) {
        return lounges().compose(ls -> counts(ls).map(c -> render(ls, c)));
    }

    @Override
    public Future<Buffer> get(Principal p, String slug) {
        if (p.isAdmin()) {
            return store.bySlug(slug, true).compose(l -> l.isEmpty() ? Future.failedFuture(notFound(slug))
                    : store.counts(l.get().rooms().stream().map(Lounge.Room::id).toList())
                    .map(c -> Views.lounge(l.get(), c).toBuffer()));
        }
        return lounges().compose(ls -> {
            Optional<Lounge> l = ls.stream().filter(x -> x.slug().equals(slug)).findFirst();
            if (l.isEmpty()) {
                return Future.failedFuture(notFound(slug));
            }
            return counts(ls).map(c -> Views.lounge(l.get(), c).toBuffer());
        });
    }

    @Override
    public Future<Lounge> create(Principal p, String slug, String name) {
        return admin(p).compose(v -> store.create(slug, name)).compose(l -> l.isEmpty()
                ? Future.failedFuture(ParleyException.of(ErrorCode.CONFLICT, "A lounge with the slug \"" + slug + "\" exists already."))
                : changedHere(l.get()));
    }

    @Override
    public Future<Lounge> update(Principal p, String slug, String name, Boolean active) {
        return admin(p).compose(v -> store.update(slug, name, active))
                .compose(l -> l.isEmpty() ? Future.failedFuture(notFound(slug)) : changedHere(l.get()));
    }

    @Override
    public Future<Lounge.Room> addRoom(Principal p, String slug, String language, String name, String topic) {
        return admin(p).compose(v -> store.addRoom(slug, language, name, topic))
                .compose(r -> r.isEmpty() ? Future.failedFuture(notFound(slug)) : changedHere(r.get()));
    }

    @Override
    public Future<Lounge.Room> updateRoom(Principal p, String slug, long roomId, String name, String topic, Boolean active) {
        return admin(p).compose(v -> store.updateRoom(slug, roomId, name, topic, active))
                .compose(r -> r.isEmpty() ? Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND,
                        "Lounge \"" + slug + "\" has no room " + roomId + ".")) : changedHere(r.get()));
    }

    @Override
    public Future<Lounge> setRetention(Principal p, String slug, Integer days) {
        return admin(p).compose(v -> store.setRetention(slug, days)).compose(found -> found ? store.bySlug(slug, true)
                : Future.succeededFuture(java.util.Optional.<Lounge>empty()))
                .compose(l -> l.isEmpty() ? Future.failedFuture(notFound(slug)) : changedHere(l.get()));
    }

    @Override
    public Future<Lounge> addModerator(Principal p, String slug, long userId) {
        return admin(p).compose(v -> store.bySlug(slug, true)).compose(l -> l.isEmpty() ? Future.failedFuture(notFound(slug))
                : store.addModerator(slug, userId).compose(added -> added ? store.bySlug(slug, true)
                : Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "User " + userId + " was not found."))))
                .compose(l -> changedHere(moderatorChanged(l.orElseThrow(), userId)));
    }

    @Override
    public Future<Lounge> removeModerator(Principal p, String slug, long userId) {
        return admin(p).compose(v -> store.bySlug(slug, true)).compose(l -> l.isEmpty() ? Future.failedFuture(notFound(slug))
                : store.removeModerator(slug, userId).compose(removed -> removed ? store.bySlug(slug, true)
                : Future.failedFuture(ParleyException.of(ErrorCode.NOT_FOUND, "User " + userId + " does not moderate lounge \"" + slug + "\"."))))
                .compose(l -> changedHere(moderatorChanged(l.orElseThrow(), userId)));
    }

    /** What the user may see in each room of the lounge changed: their open sockets, on every node, look again at once. */
    private Lounge moderatorChanged(Lounge l, long userId) {
        l.rooms().forEach(r -> events.access(r.id(), userId));
        return l;
    }

    private <T> Future<T> changedHere(T value) {
        changed();
        announce.run();
        return Future.succeededFuture(value);
    }

    private Future<List<Lounge>> lounges() {
        long now = clock.getAsLong();
        if (lounges != null && loungesGeneration == generation && now - loungesAt < LIST_MILLIS) {
            return Future.succeededFuture(lounges);
        }
        if (loading != null && loadingGeneration == generation) {
            return loading; // one read for every ask that arrives while it runs
        }
        long started = generation;
        loadingGeneration = started;
        loading = store.active().onComplete(ar -> {
            if (loadingGeneration == started) {
                loading = null;
            }
            if (ar.succeeded() && generation == started) {
                lounges = ar.result();
                loungesGeneration = started;
                loungesAt = now;
            }
        });
        return loading;
    }

    private Future<Map<Long, Lounge.Counts>> counts(List<Lounge> ls) {
        long now = clock.getAsLong();
        if (counts != null && countsFor == ls && now - countsAt < COUNTS_MILLIS) {
            return Future.succeededFuture(counts);
        }
        if (counting != null) {
            return counting;
        }
        counting = store.counts(ls.stream().flatMap(l -> l.rooms().stream()).map(Lounge.Room::id).toList()).onComplete(ar -> {
            counting = null;
            if (ar.succeeded()) {
                counts = ar.result();
                countsFor = ls;
                countsAt = now;
            }
        });
        return counting;
    }

    private Buffer render(List<Lounge> ls, Map<Long, Lounge.Counts> c) {
        if (rendered != null && renderedLounges == ls && renderedCounts == c) {
            return rendered;
        }
        JsonArray out = new JsonArray();
        ls.forEach(l -> out.add(Views.lounge(l, c)));
        rendered = new JsonObject().put("lounges", out).toBuffer();
        renderedLounges = ls;
        renderedCounts = c;
        return rendered;
    }

    private static Future<Void> admin(Principal p) {
        return p.isAdmin() ? Future.succeededFuture()
                : Future.failedFuture(ParleyException.of(ErrorCode.FORBIDDEN, "Only admins manage lounges and rooms."));
    }

    private static ParleyException notFound(String slug) {
        return ParleyException.of(ErrorCode.NOT_FOUND, "Lounge \"" + slug + "\" was not found.");
    }
}
