package io.parley.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;

import java.util.Collection;
import java.util.UUID;

/** Ended sessions: recorded, told to every node, their sockets closed. Served by the revocation verticle at {@link Addresses#AUTH_REVOKE}. */
public interface RevocationApi {

    Future<Void> revoke(Collection<UUID> families);

    static RevocationApi client(EventBus bus) {
        return families -> Local.call(bus, Addresses.AUTH_REVOKE, (RevocationApi a) -> a.revoke(families));
    }

    /** Serves {@code impl} at this interface's address for the calling verticle instance. */
    static Local.Served serve(EventBus bus, RevocationApi impl) {
        return Local.serve(bus, Addresses.AUTH_REVOKE, impl);
    }
}
