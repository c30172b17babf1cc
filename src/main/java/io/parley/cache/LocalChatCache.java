package io.parley.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.TreeMap;
import java.util.TreeSet;

/** {@link ChatCache} of a single node without Redis: the same versions, in this JVM. */
public final class LocalChatCache implements ChatCache {

    private record Entry(Buffer value, String stamp, long expiresAtNanos) {
    }

    private record ListToken(long userVersion, Map<Long, Long> versions) {
    }

    /** A search miss: the list's versions, and the global alteration version. */
    private record SearchToken(ListToken list, long altered) {
    }

    private record PageToken(long version, long membershipVersion) {
    }

    static final int MAX_ENTRIES = 100_000;

    private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
    /**
     * Bounded and self-expiring, so a put never scans it (a sweep of a full map ran on the event loop).
     * The versions above are not evicted: forgetting one would bring it back to 0 and could revive an
     * entry stamped with an old 0; there is one per channel and user, not per request.
     */
    private final Map<String, Entry> entries = ExpiringMaps.create(MAX_ENTRIES, Entry::expiresAtNanos);
    private final int listTtl;
    private final int pageTtl;
    private final int gzipOver;
    private final CacheMeters meters;
    private final int searchTtl;

    public LocalChatCache(int listTtl, int pageTtl, int searchTtl, int gzipOver, MeterRegistry registry) {
        this.listTtl = listTtl;
        this.pageTtl = pageTtl;
        this.gzipOver = gzipOver;
        this.meters = CacheMeters.of(registry);
        this.searchTtl = searchTtl;
    }

    private long version(String key) {
        AtomicLong v = versions.get(key);
        return v == null ? 0 : v.get();
    }

    private Entry fresh(String key) {
        Entry e = entries.get(key);
        return e == null || e.expiresAtNanos() - System.nanoTime() <= 0 ? null : e;
    }

    private void put(String key, Buffer value, String stamp, int ttl) {
        entries.put(key, new Entry(value, stamp, System.nanoTime() + ttl * 1_000_000_000L));
    }

    @Override
    public Future<Lookup> search(long userId, String key) {
        long altered = version("alt");
        ListToken list = listVersions(userId);
        Entry data = list.versions() == null ? null : fresh("search:" + userId + ":" + key);
        String stamp = list.userVersion() + "|" + list.versions() + "|";
        if (data != null && data.stamp().startsWith(stamp) && unaltered(data.stamp().substring(stamp.length()))) {
            meters.searchHit().increment();
            return Future.succeededFuture(new Lookup(Codec.decode(data.value()), null));
        }
        meters.searchMiss().increment();
        return Future.succeededFuture(new Lookup(null, new SearchToken(list, altered)));
    }

    /** Whether none of the channels of "id:version,..." was altered since. */
    private boolean unaltered(String held) {
        for (String part : held.split(",")) {
            int colon = part.indexOf(':');
            if (colon > 0 && version("alt:" + part.substring(0, colon)) != Long.parseLong(part.substring(colon + 1))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Future<Void> storeSearch(long userId, Lookup miss, String key, Collection<Long> shownFrom, Buffer json) {
        // nothing altered anywhere since the lookup, so the alteration versions read now are those it saw
        if (miss.token() instanceof SearchToken t && t.list().versions() != null && version("alt") == t.altered()) {
            String held = String.join(",", new TreeSet<>(shownFrom).stream().map(id -> id + ":" + version("alt:" + id)).toList());
            put("search:" + userId + ":" + key, Codec.encode(json, gzipOver),
                    t.list().userVersion() + "|" + t.list().versions() + "|" + held, searchTtl);
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Lookup> list(long userId) {
        return userScoped(userId, "list:data:" + userId, meters.listHit(), meters.listMiss());
    }

    private Future<Lookup> userScoped(long userId, String dataKey, Counter hit, Counter missCounter) {
        ListToken t = listVersions(userId);
        if (t.versions() != null) {
            Entry data = fresh(dataKey);
            if (data != null && data.stamp().equals(t.userVersion() + "|" + t.versions())) {
                hit.increment();
                return Future.succeededFuture(new Lookup(Codec.decode(data.value()), null));
            }
        }
        missCounter.increment();
        return Future.succeededFuture(new Lookup(null, t));
    }

    /** The user's version and, when their channel ids are known for it, each channel's content version. */
    private ListToken listVersions(long userId) {
        long u = version("u:" + userId);
        Entry ids = fresh("list:ids:" + userId);
        if (ids == null || !ids.stamp().equals(String.valueOf(u))) {
            return new ListToken(u, null);
        }
        Map<Long, Long> vs = new TreeMap<>();
        for (String id : ids.value().toString().split(",")) {
            if (!id.isEmpty()) {
                vs.put(Long.parseLong(id), version("ch:" + id));
            }
        }
        return new ListToken(u, vs);
    }

    @Override
    public Future<Void> storeList(long userId, Lookup miss, List<Long> channelIds, Buffer json) {
        if (miss.token() instanceof ListToken t) {
            put("list:ids:" + userId, Buffer.buffer(String.join(",", channelIds.stream().map(String::valueOf).toList())),
                    String.valueOf(t.userVersion()), listTtl);
            if (t.versions() != null && t.versions().keySet().equals(new HashSet<>(channelIds))) {
                put("list:data:" + userId, Codec.encode(json, gzipOver), t.userVersion() + "|" + t.versions(), listTtl);
            }
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Lookup> page(long channelId, long userId, String params) {
        long v = version("ch:" + channelId);
        long mv = version("mem:" + channelId);
        Entry member = fresh("mem:" + channelId + ":" + userId);
        Entry page = fresh("page:" + channelId + ":" + params);
        if (member != null && member.stamp().equals(String.valueOf(mv)) && page != null && page.stamp().equals(String.valueOf(v))) {
            meters.pageHit().increment();
            return Future.succeededFuture(new Lookup(Codec.decode(page.value()), null));
        }
        meters.pageMiss().increment();
        return Future.succeededFuture(new Lookup(null, new PageToken(v, mv)));
    }

    @Override
    public Future<Void> storePage(long channelId, long userId, Lookup miss, String params, Buffer json) {
        if (miss.token() instanceof PageToken t) {
            put("page:" + channelId + ":" + params, Codec.encode(json, gzipOver), String.valueOf(t.version()), pageTtl);
            put("mem:" + channelId + ":" + userId, Buffer.buffer(), String.valueOf(t.membershipVersion()), pageTtl);
        }
        return Future.succeededFuture();
    }

    /** Entries held now (for tests). */
    int size() {
        return entries.size();
    }

    @Override
    public Future<Void> altered(List<Long> channelIds) {
        if (!channelIds.isEmpty()) {
            // the global version first, as in RedisChatCache: a search filed in between is refused by storeSearch
            versions.computeIfAbsent("alt", k -> new AtomicLong()).incrementAndGet();
            channelIds.forEach(c -> versions.computeIfAbsent("alt:" + c, k -> new AtomicLong()).incrementAndGet());
        }
        return changed(channelIds, List.of(), List.of());
    }

    @Override
    public Future<Void> changed(List<Long> contentOf, List<Long> membershipOf, List<Long> listsOf) {
        contentOf.forEach(c -> versions.computeIfAbsent("ch:" + c, k -> new AtomicLong()).incrementAndGet());
        membershipOf.forEach(c -> versions.computeIfAbsent("mem:" + c, k -> new AtomicLong()).incrementAndGet());
        listsOf.forEach(u -> versions.computeIfAbsent("u:" + u, k -> new AtomicLong()).incrementAndGet());
        return Future.succeededFuture();
    }
}
