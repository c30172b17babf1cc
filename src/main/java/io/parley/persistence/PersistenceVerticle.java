package io.parley.persistence;

import io.parley.Addresses;
import io.parley.auth.Admission;
import io.parley.auth.AuthService;
import io.parley.auth.PasswordHasher;
import io.parley.auth.TokenService;
import io.parley.cache.Cache;
import io.parley.cache.LocalCache;
import io.parley.cache.RedisCache;
import io.parley.chat.ChatService;
import io.parley.chat.Fanout;
import io.parley.config.ParleyConfig;
import io.parley.limits.Quotas;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only owner of the Postgres pool and the cache. It applies migrations, makes sure the cluster-wide
 * token secret exists, and serves the node-local request/reply addresses of {@link Addresses} through
 * {@link PersistenceApi}.
 */
public class PersistenceVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);

    /** Node-local shared map where the persistence verticle leaves the token secret for the edges. */
    public static final String NODE_MAP = "parley.node";
    public static final String TOKEN_SECRET_KEY = "tokenSecret";

    private Pool pool;
    private Cache cache;
    private PasswordHasher hasher;
    /** This instance's chat cache: its own Redis pool to close, or the node's in-process one (nothing to close). */
    private io.parley.cache.ChatCache chatCache = io.parley.cache.ChatCache.NONE;
    private PersistenceApi api;
    private io.parley.metrics.EventLoopProbe probe;

    @Override
    public Future<?> start() {
        ParleyConfig config = ParleyConfig.from(config());
        pool = createPool(config.db());
        cache = config.redis().url().isEmpty() ? sharedLocalCache(vertx)
                : new RedisCache(vertx, config.redis().url(), config.redis().timeoutMs(), redisPrefix(config));
        // one per node, whatever persistence.instances: its queue bound is the node's (NodeHasher)
        hasher = NodeHasher.acquire(vertx, config.auth());
        probe = new io.parley.metrics.EventLoopProbe(vertx, io.parley.metrics.Metrics.registry(vertx));
        probe.start();
        Db db = new Db(pool, io.parley.metrics.Metrics.registry(vertx), config.persistence().slowQueryMs());
        return ensureSchema(config.db().schema())
                .compose(v -> Migrations.apply(vertx, pool))
                .compose(v -> tokenSecret(db, config.auth()))
                .compose(secret -> {
                    LocalMap<String, Buffer> node = vertx.sharedData().getLocalMap(NODE_MAP);
                    node.put(TOKEN_SECRET_KEY, Buffer.buffer(secret));
                    TokenService tokens = new TokenService(secret, config.auth().accessTokenTtlSeconds());
                    UserStore users = new PgUserStore(db);
                    io.micrometer.core.instrument.MeterRegistry registry = io.parley.metrics.Metrics.registry(vertx);
                    Quotas quotas = new Quotas(cache, registry);
                    LocalMap<String, Admission.NodeState> shared = vertx.sharedData().getLocalMap(NODE_MAP + ".admission");
                    Admission admission = new Admission(shared.computeIfAbsent("state", k -> new Admission.NodeState()), cache,
                            config.limits().bcryptPerAddressPerMinute(), config.limits().bcryptConcurrentPerAddress(), registry);
                    AuthService auth = new AuthService(users, new PgSessionStore(db), hasher, tokens, cache, config.auth(),
                            config.limits(), admission, quotas, this::revoke);
                    chatCache = chatCache(config);
                    ChatService chat = new ChatService(new PgChannelStore(db), new PgMessageStore(db), users, chatCache,
                            new Fanout(vertx.eventBus(), config.cluster().fanout()), registry, quotas, config.limits());
                    api = new PersistenceApi(vertx.eventBus(), auth, chat, users, new PgOpsStore(db), db, cache, config);
                    return api.register();
                })
                // Vert.x stops only the instances that started: one that failed gives its use of the hasher back itself
                .onFailure(t -> NodeHasher.release(vertx));
    }

    /** Hands ended sessions to the node's revocation verticle, which tells every node; never fails the caller. */
    private Future<Void> revoke(java.util.Collection<java.util.UUID> families) {
        JsonArray list = new JsonArray();
        families.forEach(f -> list.add(f.toString()));
        return vertx.eventBus().request(io.parley.Addresses.AUTH_REVOKE, new JsonObject().put("families", list),
                        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(5_000).setLocalOnly(true))
                .<Void>mapEmpty()
                .recover(t -> {
                    LOG.warn("Ended sessions could not be spread ({}); their access tokens stay valid until they expire", t.toString());
                    return Future.succeededFuture();
                });
    }

    private Pool createPool(ParleyConfig.Db db) {
        PgConnectOptions connect = PgConnectOptions.fromUri(db.url())
                .setCachePreparedStatements(true)
                .setPipeliningLimit(db.pipeliningLimit());
        if (!db.schema().isEmpty()) {
            connect.setProperties(Map.of("search_path", db.schema()));
        }
        PoolOptions options = new PoolOptions().setMaxSize(db.poolSize()).setMaxWaitQueueSize(4096).setName("parley-pg");
        return PgBuilder.pool().with(options).connectingTo(connect).using(vertx).build();
    }

    private Future<Void> ensureSchema(String schema) {
        if (schema.isEmpty()) {
            return Future.succeededFuture();
        }
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            return Future.failedFuture(new IllegalArgumentException("db.schema must be a lower-case SQL identifier"));
        }
        // Two sessions creating the schema at once (persistence.instances > 1 on a fresh schema, or nodes
        // starting together) can fail despite IF NOT EXISTS: one gets a unique violation on the catalog.
        // The schema is there either way.
        return pool.query("CREATE SCHEMA IF NOT EXISTS " + schema).execute().<Void>mapEmpty()
                .recover(t -> t instanceof io.vertx.pgclient.PgException pg
                        && ("23505".equals(pg.getSqlState()) || "42P06".equals(pg.getSqlState()))
                        ? Future.succeededFuture() : Future.failedFuture(t));
    }

    private Future<byte[]> tokenSecret(Db db, ParleyConfig.Auth auth) {
        if (!auth.tokenSecret().isEmpty()) {
            byte[] secret = auth.tokenSecret().getBytes(StandardCharsets.UTF_8);
            return secret.length >= 32 ? Future.succeededFuture(secret)
                    : Future.failedFuture(new IllegalArgumentException("auth.tokenSecret (PARLEY_AUTH_TOKEN_SECRET) must have at least 32 characters"));
        }
        // First node to start creates it; every node of the cluster then shares it through the database.
        return db.query(SqlQueries.SECRET_INSERT, Tuple.of("access-token", Buffer.buffer(TokenService.newSecret())))
                .compose(v -> db.query(SqlQueries.SECRET_GET, Tuple.of("access-token")))
                .map(rows -> rows.iterator().next().getBuffer("value").getBytes());
    }

    /** Redis when configured, else one in-process cache shared by this node's persistence instances. */
    private io.parley.cache.ChatCache chatCache(ParleyConfig config) {
        ParleyConfig.Cache c = config.cache();
        if (!c.enabled()) {
            return io.parley.cache.ChatCache.NONE;
        }
        io.micrometer.core.instrument.MeterRegistry registry = io.parley.metrics.Metrics.registry(vertx);
        if (!config.redis().url().isEmpty()) {
            return new io.parley.cache.RedisChatCache(vertx, config.redis().url(), config.redis().timeoutMs(), redisPrefix(config),
                    c.channelListTtlSeconds(), c.pageTtlSeconds(), c.searchTtlSeconds(), c.gzipOverBytes(), registry);
        }
        LocalMap<String, ChatCacheHolder> map = vertx.sharedData().getLocalMap(NODE_MAP + ".chatcache");
        return map.computeIfAbsent("cache", k -> new ChatCacheHolder(new io.parley.cache.LocalChatCache(c.channelListTtlSeconds(),
                c.pageTtlSeconds(), c.searchTtlSeconds(), c.gzipOverBytes(), registry))).cache();
    }

    /** Every Redis key of a deployment starts with this: "parley:" plus the schema when one is set. */
    public static String redisPrefix(ParleyConfig config) {
        return config.db().schema().isEmpty() ? "parley:" : "parley:" + config.db().schema() + ":";
    }

    private record ChatCacheHolder(io.parley.cache.LocalChatCache cache) implements io.vertx.core.shareddata.Shareable {
    }

    /** The in-process cache of this node, one for all its verticles (the edges' send buckets live there too without Redis). */
    public static Cache sharedLocalCache(io.vertx.core.Vertx vertx) {
        LocalMap<String, LocalCacheHolder> map = vertx.sharedData().getLocalMap(NODE_MAP + ".cache");
        return map.computeIfAbsent("cache", k -> new LocalCacheHolder(new LocalCache())).cache();
    }

    /** Lets the in-process cache be shared by the persistence instances of one node. */
    private record LocalCacheHolder(LocalCache cache) implements io.vertx.core.shareddata.Shareable {
    }

    /** Stops taking requests, lets those in flight commit and answer, then closes the pool. */
    @Override
    public Future<?> stop() {
        probe.stop();
        Future<Void> drained = api == null ? Future.succeededFuture() : api.stop(5_000);
        // after the drain, as the pool: the requests still answering read and fill the chat cache. Its Redis
        // pool is this instance's own, closed here rather than left to whatever closes the context.
        return drained.eventually(() -> Future.join(pool.close(), cache.close(), NodeHasher.release(vertx),
                chatCache instanceof io.parley.cache.RedisChatCache redis ? redis.close() : Future.succeededFuture()));
    }
}
