package io.parley.cache;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The shared cache: Redis in a cluster, in-process on a single node. Every operation is best effort:
 * it never fails (a broken cache answers "miss" / does nothing) and never waits longer than the
 * configured timeout, so no request fails because of the cache.
 */
public interface Cache {

    Future<String> get(String key);

    Future<Void> set(String key, String value, int ttlSeconds);

    Future<Void> delete(String key);

    /** A window counter after an add: its count, and the milliseconds until the window ends (at least 1). */
    record Window(long count, long remainingMillis) {

        /** The whole seconds a client should wait for the window to end (Retry-After). */
        public int retryAfterSeconds() {
            return (int) Math.max(1, (remainingMillis + 999) / 1000);
        }
    }

    /**
     * Adds {@code delta} (negative to give back, never below 0) to a counter whose window starts with its
     * first add and lasts {@code windowMillis}, in one atomic step, and answers the count after the add:
     * compare that, not a count read before, so that concurrent callers never both pass a limit. While the
     * backend is down the count is kept in-process (per node), so a limit still holds. Counters may wait
     * longer than the timeout of reads (see RedisCache), since a count from the fallback holds per node only.
     */
    Future<Window> add(String key, long delta, long windowMillis);

    /**
     * Takes {@code counts.get(key)} tokens from each bucket {@code key} ({@code burst} tokens, refilled at
     * {@code ratePerSecond}), all in one atomic step (one round trip): a bucket may go into debt. Answers, per
     * key, 0 when it had enough, else the milliseconds until it is out of debt. In-process while the backend
     * is down.
     */
    Future<Map<String, Long>> takeAll(Map<String, Integer> counts, int ratePerSecond, int burst);

    /** Entries of a shared record, oldest first, with the time each was added; and the backend's clock at the read. */
    record Records(List<Map.Entry<String, Long>> entries, long nowMillis) {
    }

    /**
     * Adds {@code members} to the shared record {@code key}, stamped with the backend's clock (so nodes with
     * skewed clocks agree on the order), and drops entries older than {@code retainMillis}. Unlike the
     * other operations this one <b>fails</b> when the backend does not answer: a caller that must know
     * whether the record was written (revocations) can tell.
     */
    Future<Void> recordAdd(String key, Collection<String> members, long retainMillis);

    /** At most {@code max} entries of the record added at or after {@code sinceMillis} (backend clock). Fails when the backend does not answer. */
    Future<Records> recordSince(String key, long sinceMillis, int max);

    /** "up", "down" or "local". */
    String status();

    /** Asks the backend now (bounded by the timeout): "up", "down" or "local". */
    /** Redis's used_memory in bytes (INFO memory), or null without Redis or when it does not answer. */
    default Future<Long> usedMemory() {
        return Future.succeededFuture(null);
    }

    default Future<String> check() {
        return Future.succeededFuture(status());
    }

    Future<Void> close();
}
