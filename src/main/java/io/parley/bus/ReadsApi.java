package io.parley.bus;

import io.parley.domain.Principal;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;

/**
 * The hot reads, answered as the JSON bytes of the response: a cache hit is served as stored, never parsed
 * and encoded again, and a miss is rendered once for both the answer and the cache. Served node-locally
 * at {@link Addresses#READS}.
 */
public interface ReadsApi {

    /** The caller's channels: {@code {"channels":[...]}}. */
    Future<Buffer> channels(Principal p);

    /** A page of a channel's history: {@code {"messages":[...], "hasMore"}}. */
    Future<Buffer> page(Principal p, Commands.PageQuery query);

    /** Full-text search over what the caller may read: {@code {"results":[...], "nextCursor", "truncated"}}. */
    Future<Buffer> search(Principal p, Commands.SearchQuery query);

    /** The node-local client of the cached reads. */
    static ReadsApi client(EventBus bus) {
        return new ReadsApi() {
            @Override
            public Future<Buffer> channels(Principal p) {
                return Local.call(bus, Addresses.READS, (ReadsApi a) -> a.channels(p));
            }

            @Override
            public Future<Buffer> page(Principal p, Commands.PageQuery query) {
                return Local.call(bus, Addresses.READS, (ReadsApi a) -> a.page(p, query));
            }

            @Override
            public Future<Buffer> search(Principal p, Commands.SearchQuery query) {
                return Local.call(bus, Addresses.READS, (ReadsApi a) -> a.search(p, query));
            }
        };
    }

    /** Serves {@code impl} at this interface's address for the calling verticle instance. */
    static Local.Served serve(EventBus bus, ReadsApi impl) {
        return Local.serve(bus, Addresses.READS, impl);
    }
}
