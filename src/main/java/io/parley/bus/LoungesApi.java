package io.parley.bus;

import io.parley.domain.Lounge;
import io.parley.domain.Principal;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;

/**
 * Lounges and their language rooms: the list every client opens with (answered as the JSON bytes of the
 * response, cached), one lounge, and what admins do with them. Served node-locally at
 * {@link Addresses#LOUNGES}.
 */
public interface LoungesApi {

    /** Active lounges with their active rooms, members and online counts: {@code {"lounges":[...]}}. */
    Future<Buffer> list(Principal p);

    /** One lounge as JSON; admins also see an inactive lounge and inactive rooms. */
    Future<Buffer> get(Principal p, String slug);

    /** Admins only. */
    Future<Lounge> create(Principal p, String slug, String name);

    /** Admins only; {@code name} or {@code active} null: unchanged. */
    Future<Lounge> update(Principal p, String slug, String name, Boolean active);

    /** Admins only. */
    Future<Lounge.Room> addRoom(Principal p, String slug, String language, String name, String topic);

    /** Admins only; null: unchanged, a topic of "" clears it. */
    Future<Lounge.Room> updateRoom(Principal p, String slug, long roomId, String name, String topic, Boolean active);

    /** Admins only: the user moderates every room of the lounge; answers the lounge with every room. */
    Future<Lounge> addModerator(Principal p, String slug, long userId);

    /** Admins only. */
    Future<Lounge> removeModerator(Principal p, String slug, long userId);

    /** Admins only: how many days the rooms of the lounge keep their messages (null: forever), unless a room has its own. */
    Future<Lounge> setRetention(Principal p, String slug, Integer days);

    /** The node-local client. */
    static LoungesApi client(EventBus bus) {
        return new LoungesApi() {
            @Override
            public Future<Buffer> list(Principal p) {
                return Local.call(bus, Addresses.LOUNGES, (LoungesApi a) -> a.list(p));
            }

            @Override
            public Future<Buffer> get(Principal p, String slug) {
                return Local.call(bus, Addresses.LOUNGES, (LoungesApi a) -> a.get(p, slug));
            }

            @Override
            public Future<Lounge> create(Principal p, String slug, String name) {
                return Local.call(bus, Addresses.LOUNGES, (LoungesApi a) -> a.create(p, slug, name));
            }

            @Override
            public Future<Lounge> update(Principal p, String slug, String name, Boolean active) {
                return Local.call(bus, Addresses.LOUNGES, (LoungesApi a) -> a.update(p, slug, name, active));
            }

            @Override
            public Future<Lounge.Room> addRoom(Principal p, String slug, String language, String name, String topic) {
                return Local.call(bus, Addresses.LOUNGES, (LoungesApi a) -> a.addRoom(p, slug, language, name, topic));
            }

            @Override
            public Future<Lounge.Room> updateRoom(Principal p, String slug, long roomId, String name, String topic, Boolean active) {
                return Local.call(bus, Addresses.LOUNGES, (LoungesApi a) -> a.updateRoom(p, slug, roomId, name, topic, active));
            }

            @Override
            public Future<Lounge> setRetention(Principal p, String slug, Integer days) {
                return Local.call(bus, Addresses.LOUNGES, (LoungesApi a) -> a.setRetention(p, slug, days));
            }

            @Override
            public Future<Lounge> addModerator(Principal p, String slug, long userId) {
                return Local.call(bus, Addresses.LOUNGES, (LoungesApi a) -> a.addModerator(p, slug, userId));
            }

            @Override
            public Future<Lounge> removeModerator(Principal p, String slug, long userId) {
                return Local.call(bus, Addresses.LOUNGES, (LoungesApi a) -> a.removeModerator(p, slug, userId));
            }
        };
    }

    /** Serves {@code impl} at this interface's address for the calling verticle instance. */
    static Local.Served serve(EventBus bus, LoungesApi impl) {
        return Local.serve(bus, Addresses.LOUNGES, impl);
    }
}
