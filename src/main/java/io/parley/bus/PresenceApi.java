package io.parley.bus;

import io.parley.domain.PresenceStatus;
import io.parley.domain.Principal;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;

import java.util.List;

/** Presence as a user may see it. Served node-locally by the presence verticle at {@link Addresses#PRESENCE_QUERY}. */
public interface PresenceApi {

    /** Of {@code userIds}, those who share a channel with the caller, with their presence; the others are left out. */
    Future<List<PresenceStatus>> query(Principal p, List<Long> userIds);

    static PresenceApi client(EventBus bus) {
        return (p, userIds) -> Local.call(bus, Addresses.PRESENCE_QUERY, (PresenceApi a) -> a.query(p, userIds));
    }

    /** Serves {@code impl} at this interface's address for the calling verticle instance. */
    static Local.Served serve(EventBus bus, PresenceApi impl) {
        return Local.serve(bus, Addresses.PRESENCE_QUERY, impl);
    }
}
