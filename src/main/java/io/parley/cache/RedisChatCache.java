package io.parley.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.parley.redis.NodeRedis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link ChatCache} in Redis. A lookup is one Lua call that reads the versions and, when they still match,
 * the value. Every call is bounded by the Redis timeout and a failure is a miss: no request fails because
 * of the cache. A failed version bump could let an old entry look current once Redis is back, so after one
 * the node moves the global epoch (part of every entry's key) before it reads from Redis again.
 */
public final class RedisChatCache implements ChatCache {

    private static final Logger LOG = LoggerFactory.getLogger(RedisChatCache.class);

    /**
     * The start of every lookup of a value that depends on all of a user's channels (KEYS: epoch, v:u,
     * list ids): the epoch {@code e}, the user's version {@code u}, and the versions of the channels of
     * the user's cached list ({@code list}, {@code versions}). Without a list of the current user version it
     * answers a miss: {0, e, u} and {@code missExtra}; {@code declare} runs first.
     */
    private static String listVersions(String declare, String missExtra) {
        return "local e = redis.call('GET', KEYS[1]) or '0'\n"
                + "local u = redis.call('GET', KEYS[2]) or '0'\n"
                + declare
                + "local ids = redis.call('GET', KEYS[3])\n"
                + "if not ids then return {0, e, u" + missExtra + "} end\n"
                + "local sep = string.find(ids, '|', 1, true)\n"
                + "if string.sub(ids, 1, sep - 1) ~= u then return {0, e, u" + missExtra + "} end\n"
                + "local list = string.sub(ids, sep + 1)\n"
                + "local vs = {}\n"
                + "for id in string.gmatch(list, '[^,]+') do\n"
                + "  vs[#vs + 1] = redis.call('GET', ARGV[1] .. 'v:ch:' .. id) or '0'\n"
                + "end\n"
                + "local versions = table.concat(vs, ',')\n";
    }

    /** KEYS: epoch, v:u, list ids, list meta, list data; ARGV: key prefix. */
    private static final String LIST_GET = listVersions("", "") + """
            if redis.call('GET', KEYS[4]) == e .. '|' .. u .. '|' .. versions then
              local data = redis.call('GET', KEYS[5])
              if data then return {1, data} end
            end
            return {0, e, u, list, versions}
            """;
    /** KEYS: epoch, v:ch, v:mem, membership; ARGV: page key prefix, page params. */
    private static final String PAGE_GET = """
            local e = redis.call('GET', KEYS[1]) or '0'
            local v = redis.call('GET', KEYS[2]) or '0'
            local mv = redis.call('GET', KEYS[3]) or '0'
            if redis.call('GET', KEYS[4]) == mv then
              local data = redis.call('GET', ARGV[1] .. e .. ':' .. v .. ':' .. ARGV[2])
              if data then return {1, data} end
            end
            return {0, e, v, mv}
            """;

    /**
     * KEYS: epoch, v:u, list ids, search meta, search data; ARGV: key prefix. The meta is the list's stamp
     * followed by the alteration versions of the channels the results show ("|id:v,id:v"); a miss answers
     * the global alteration version too.
     */
    private static final String SEARCH_GET = listVersions("local a = redis.call('GET', ARGV[1] .. 'v:alt') or '0'\n", ", a") + """
            local want = e .. '|' .. u .. '|' .. versions .. '|'
            local meta = redis.call('GET', KEYS[4])
            if meta and string.sub(meta, 1, #want) == want then
              local fresh = true
              for id, v in string.gmatch(string.sub(meta, #want + 1), '(%d+):(%d+)') do
                if (redis.call('GET', ARGV[1] .. 'v:alt:' .. id) or '0') ~= v then fresh = false break end
              end
              if fresh then
                local data = redis.call('GET', KEYS[5])
                if data then return {1, data} end
              end
            end
            return {0, e, u, a, list, versions}
            """;
    /**
     * KEYS: search meta, search data; ARGV: key prefix, global alteration version read by the lookup, TTL,
     * the list's stamp, the value, then the ids of the channels it shows. Nothing is filed when a message
     * was altered anywhere since the lookup: the channels' alteration versions read now might postdate
     * what Postgres answered.
     */
    private static final String SEARCH_PUT = """
            if (redis.call('GET', ARGV[1] .. 'v:alt') or '0') ~= ARGV[2] then return 0 end
            local held = {}
            for i = 6, #ARGV do
              held[#held + 1] = ARGV[i] .. ':' .. (redis.call('GET', ARGV[1] .. 'v:alt:' .. ARGV[i]) or '0')
            end
            redis.call('SET', KEYS[2], ARGV[5], 'EX', ARGV[3])
            redis.call('SET', KEYS[1], ARGV[4] .. '|' .. table.concat(held, ','), 'EX', ARGV[3])
            return 1
            """;

    private record ListToken(String epoch, String userVersion, List<Long> ids, String versions) {
    }

    /** A search miss: the list's versions, and the global alteration version. */
    private record SearchToken(ListToken list, String altered) {
    }

    private record PageToken(String epoch, String version, String membershipVersion) {
    }

    private final Vertx vertx;
    /** The node's client: every call is bounded by its timeout, and a failure is a miss. */
    private final NodeRedis redis;
    private final String prefix;
    private final int listTtl;
    private final int pageTtl;
    private final int gzipOver;
    private final CacheMeters meters;
    private final int searchTtl;
    /** Set when a version bump failed: the epoch must move before Redis is trusted again. */
    private volatile boolean suspect;

    public RedisChatCache(Vertx vertx, NodeRedis redis, int listTtl, int pageTtl, int searchTtl, int gzipOver, MeterRegistry registry) {
        this.vertx = vertx;
        this.redis = redis;
        this.prefix = redis.prefix();
        this.listTtl = listTtl;
        this.pageTtl = pageTtl;
        this.gzipOver = gzipOver;
        this.meters = CacheMeters.of(registry);
        this.searchTtl = searchTtl;
    }

    private Future<Response> send(Request r) {
        return redis.send(r);
    }

    /** Before reading: if a bump was lost, move the epoch first (all older entries become unservable). */
    private Future<Void> trusted() {
        if (!suspect) {
            return Future.succeededFuture();
        }
        return send(Request.cmd(Command.INCR).arg(prefix + "epoch")).map(r -> {
            suspect = false;
            LOG.info("Cache epoch moved to {} after a lost invalidation; older entries are void", r);
            return (Void) null;
        });
    }

    @Override
    public Future<Lookup> list(long userId) {
        return userScoped(userId, prefix + "list:meta:" + userId, prefix + "list:data:" + userId, meters.listHit(), meters.listMiss());
    }

    @Override
    public Future<Lookup> search(long userId, String key) {
        // meta and data both under the whole key: two searches never share a validity stamp
        Request eval = Request.cmd(Command.EVAL).arg(SEARCH_GET).arg(5).arg(prefix + "epoch").arg(prefix + "v:u:" + userId)
                .arg(prefix + "list:ids:" + userId).arg(prefix + "search:meta:" + userId + ":" + key)
                .arg(prefix + "search:data:" + userId + ":" + key).arg(prefix);
        return trusted().compose(v -> send(eval)).map(r -> {
            if (r.get(0).toInteger() == 1) {
                meters.searchHit().increment();
                return new Lookup(Codec.decode(r.get(1).toBuffer()), null);
            }
            meters.searchMiss().increment();
            List<Long> ids = r.size() > 4 ? parseIds(r.get(4).toString()) : null;
            ListToken list = new ListToken(r.get(1).toString(), r.get(2).toString(), ids, r.size() > 5 ? r.get(5).toString() : null);
            return new Lookup(null, new SearchToken(list, r.get(3).toString()));
        }).otherwise(t -> {
            meters.searchMiss().increment();
            return new Lookup(null, null);
        });
    }

    @Override
    public Future<Void> storeSearch(long userId, Lookup miss, String key, Collection<Long> shownFrom, Buffer json) {
        if (!(miss.token() instanceof SearchToken t) || t.list().ids() == null) {
            return Future.succeededFuture(); // the user's channels are not known yet: nothing to validate against
        }
        ListToken l = t.list();
        Request eval = Request.cmd(Command.EVAL).arg(SEARCH_PUT).arg(2).arg(prefix + "search:meta:" + userId + ":" + key)
                .arg(prefix + "search:data:" + userId + ":" + key).arg(prefix).arg(t.altered()).arg(searchTtl)
                .arg(l.epoch() + "|" + l.userVersion() + "|" + l.versions()).arg(Codec.encode(json, gzipOver));
        new java.util.TreeSet<>(shownFrom).forEach(id -> eval.arg(id.longValue()));
        return send(eval).<Void>mapEmpty().otherwiseEmpty();
    }

    /** A value that depends on all of a user's channels: valid while the user version and every channel version match. */
    private Future<Lookup> userScoped(long userId, String metaKey, String dataKey, Counter hit, Counter miss) {
        Request eval = Request.cmd(Command.EVAL).arg(LIST_GET).arg(5).arg(prefix + "epoch").arg(prefix + "v:u:" + userId)
                .arg(prefix + "list:ids:" + userId).arg(metaKey).arg(dataKey).arg(prefix);
        return trusted().compose(v -> send(eval)).map(r -> {
            if (r.get(0).toInteger() == 1) {
                hit.increment();
                return new Lookup(Codec.decode(r.get(1).toBuffer()), null);
            }
            miss.increment();
            List<Long> ids = r.size() > 3 ? parseIds(r.get(3).toString()) : null;
            return new Lookup(null, new ListToken(r.get(1).toString(), r.get(2).toString(), ids, r.size() > 4 ? r.get(4).toString() : null));
        }).otherwise(t -> {
            miss.increment();
            return new Lookup(null, null);
        });
    }

    @Override
    public Future<Void> storeList(long userId, Lookup miss, List<Long> channelIds, Buffer json) {
        if (!(miss.token() instanceof ListToken t)) {
            return Future.succeededFuture();
        }
        List<Request> batch = new ArrayList<>();
        // the id list is valid for the user version read before Postgres; a membership change moves it
        batch.add(Request.cmd(Command.SET).arg(prefix + "list:ids:" + userId).arg(t.userVersion() + "|" + join(channelIds))
                .arg("EX").arg(listTtl));
        // the value is servable only if its channels' versions were read before Postgres, i.e. the ids matched
        if (t.ids() != null && new HashSet<>(t.ids()).equals(new HashSet<>(channelIds)) && t.ids().size() == channelIds.size()) {
            batch.add(Request.cmd(Command.SET).arg(prefix + "list:data:" + userId).arg(Codec.encode(json, gzipOver)).arg("EX").arg(listTtl));
            batch.add(Request.cmd(Command.SET).arg(prefix + "list:meta:" + userId)
                    .arg(t.epoch() + "|" + t.userVersion() + "|" + t.versions()).arg("EX").arg(listTtl));
            // keep the id order the versions were read in
            batch.set(0, Request.cmd(Command.SET).arg(prefix + "list:ids:" + userId).arg(t.userVersion() + "|" + join(t.ids()))
                    .arg("EX").arg(listTtl));
        }
        return redis.batch(batch).<Void>mapEmpty().otherwiseEmpty();
    }

    @Override
    public Future<Lookup> page(long channelId, long userId, String params) {
        Request eval = Request.cmd(Command.EVAL).arg(PAGE_GET).arg(4).arg(prefix + "epoch").arg(prefix + "v:ch:" + channelId)
                .arg(prefix + "v:mem:" + channelId).arg(prefix + "mem:" + channelId + ":" + userId)
                .arg(prefix + "page:" + channelId + ":").arg(params);
        return trusted().compose(v -> send(eval)).map(r -> {
            if (r.get(0).toInteger() == 1) {
                meters.pageHit().increment();
                return new Lookup(Codec.decode(r.get(1).toBuffer()), null);
            }
            meters.pageMiss().increment();
            return new Lookup(null, new PageToken(r.get(1).toString(), r.get(2).toString(), r.get(3).toString()));
        }).otherwise(t -> {
            meters.pageMiss().increment();
            return new Lookup(null, null);
        });
    }

    @Override
    public Future<Void> storePage(long channelId, long userId, Lookup miss, String params, Buffer json) {
        if (!(miss.token() instanceof PageToken t)) {
            return Future.succeededFuture();
        }
        List<Request> batch = List.of(
                Request.cmd(Command.SET).arg(prefix + "page:" + channelId + ":" + t.epoch() + ":" + t.version() + ":" + params)
                        .arg(Codec.encode(json, gzipOver)).arg("EX").arg(pageTtl),
                // the caller was a member in good standing at this membership version
                Request.cmd(Command.SET).arg(prefix + "mem:" + channelId + ":" + userId).arg(t.membershipVersion()).arg("EX").arg(pageTtl));
        return redis.batch(batch).<Void>mapEmpty().otherwiseEmpty();
    }

    @Override
    public Future<Void> changed(List<Long> contentOf, List<Long> membershipOf, List<Long> listsOf) {
        List<Request> batch = new ArrayList<>();
        contentOf.forEach(c -> batch.add(Request.cmd(Command.INCR).arg(prefix + "v:ch:" + c)));
        membershipOf.forEach(c -> batch.add(Request.cmd(Command.INCR).arg(prefix + "v:mem:" + c)));
        listsOf.forEach(u -> batch.add(Request.cmd(Command.INCR).arg(prefix + "v:u:" + u)));
        return bump(batch);
    }

    @Override
    public Future<Void> altered(List<Long> channelIds) {
        if (channelIds.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Request> batch = new ArrayList<>();
        // the global version first: a search filed between the two steps would otherwise carry a channel
        // version that is already new, over results read before the change (SEARCH_PUT checks the global one)
        batch.add(Request.cmd(Command.INCR).arg(prefix + "v:alt"));
        channelIds.forEach(c -> batch.add(Request.cmd(Command.INCR).arg(prefix + "v:alt:" + c)));
        channelIds.forEach(c -> batch.add(Request.cmd(Command.INCR).arg(prefix + "v:ch:" + c)));
        return bump(batch);
    }

    /** Moves versions; a failure makes Redis suspect until the epoch has moved (every entry void). */
    private Future<Void> bump(List<Request> batch) {
        if (batch.isEmpty()) {
            return Future.succeededFuture();
        }
        return redis.batch(batch).<Void>mapEmpty().recover(t -> {
            if (!suspect) {
                suspect = true;
                LOG.warn("Cache invalidation failed ({}); the epoch moves as soon as Redis answers again", t.toString());
                retryEpoch();
            }
            return Future.succeededFuture();
        });
    }

    /** Other nodes may read Redis meanwhile: move the epoch as soon as possible, not only at our next read. */
    private void retryEpoch() {
        vertx.setTimer(1000, id -> {
            if (suspect) {
                trusted().onFailure(t -> retryEpoch());
            }
        });
    }

    private static String join(List<Long> ids) {
        return String.join(",", ids.stream().map(String::valueOf).toList());
    }

    private static List<Long> parseIds(String list) {
        return list.isEmpty() ? List.of() : Arrays.stream(list.split(",")).map(Long::parseLong).toList();
    }
}
