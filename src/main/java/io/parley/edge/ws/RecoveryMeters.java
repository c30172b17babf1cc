package io.parley.edge.ws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;

/**
 * What recovery does, as one counter {@code parley.ws.recovery} with a closed set of {@code event} tags:
 * how often clients resume, how much is replayed, how often live streams show gaps and how they end.
 * Shared by the edges of a node (Micrometer hands back the same counter for the same name and tags).
 */
final class RecoveryMeters {

    enum Event {
        /** A subscribe with since: a client resuming after a reconnect (or asking for history). */
        RESUME("resume"),
        /** A message written to a socket by a replay rather than live. */
        REPLAYED("replayed"),
        /** A live message whose seq left a gap: a catch-up started. */
        GAP("gap"),
        /** A catch-up that found nothing while a later seq was held, read again after a backoff. */
        CATCHUP_RETRY("catchup_retry"),
        /** A channel re-read after the cluster lost or merged a member. */
        MEMBERSHIP_RESYNC("membership_resync"),
        /** A socket closed with 1013 because its write queue was full when a live event was due. */
        SLOW_CLOSE("slow_close"),
        /** A socket closed with 1013 because a gap stayed unfilled. */
        GAP_CLOSE("gap_close"),
        /** A channel of a subscribe frame that was refused or failed. */
        SUBSCRIBE_FAILED("subscribe_failed");

        final String tag;

        Event(String tag) {
            this.tag = tag;
        }
    }

    private final Map<Event, Counter> counters = new EnumMap<>(Event.class);

    RecoveryMeters(MeterRegistry registry) {
        for (Event e : Event.values()) {
            counters.put(e, Counter.builder("parley.ws.recovery").tag("event", e.tag)
                    .description("Recovery of WebSocket deliveries: resumes, replays, gaps, retries, resyncs, closes").register(registry));
        }
    }

    void count(Event e) {
        count(e, 1);
    }

    void count(Event e, long n) {
        counters.get(e).increment(n);
    }
}
