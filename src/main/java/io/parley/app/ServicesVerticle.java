package io.parley.app;

import io.parley.bus.Addresses;
import io.parley.bus.AuthApi;
import io.parley.bus.ChatApi;
import io.parley.bus.Local;
import io.parley.bus.LoungesApi;
import io.parley.bus.OpsApi;
import io.parley.bus.ReadsApi;
import io.parley.bus.RevocationApi;
import io.parley.chat.ChatReads;
import io.parley.chat.ChatRules;
import io.parley.chat.Lounges;
import io.parley.edge.service.ServiceEndpoints;
import io.parley.persistence.Db;
import io.parley.persistence.Migrations;
import io.parley.persistence.PgChannelStore;
import io.parley.persistence.PgJobStore;
import io.parley.persistence.PgLoungeStore;
import io.parley.persistence.PgMessageStore;
import io.parley.persistence.PgPresenceRecords;
import io.parley.persistence.PgSearchStore;
import io.parley.persistence.PgSessionStore;
import io.parley.persistence.PgUserStore;
import io.parley.persistence.Database;
import io.parley.persistence.UserStore;
import io.parley.auth.NodeHasher;
import io.parley.auth.Admission;
import io.parley.auth.AuthService;
import io.parley.auth.PasswordHasher;
import io.parley.auth.TokenService;
import io.parley.cache.Cache;
import io.parley.cache.LocalCache;
import io.parley.cache.RedisCache;
import io.parley.bus.Fanout;
import io.parley.config.ParleyConfig;
import io.parley.limits.Quotas;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
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
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.cache.ChatCache;
import io.parley.metrics.EventLoopProbe;
import io.parley.metrics.Metrics;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Hosts the domain services of a node on its own event loops: the auth service, the chat rules, the
 * cached reads and the node's operational records. It is the only owner of the Postgres pools (the
 * requests' and the searches' own, {@link Database#searchPool}); it applies migrations, makes sure the
 * cluster-wide token secret exists, serves the typed node-local APIs
 * ({@link AuthApi}, {@link ChatApi}, {@link ReadsApi}, {@link OpsApi}) and the service addresses of
 * docs/event-bus.md ({@link ServiceEndpoints}). Deployed {@code persistence.instances} times; the
 * instances share the calls round-robin.
 */
public class ServicesVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(ServicesVerticle.class);

    /** Node-local shared map where this verticle leaves the token secret, for {@link Main} to hand to the edges. */
    static final String NODE_MAP = "parley.node";
    private static final String TOKEN_SECRET_KEY = "tokenSecret";

    /** The token secret, once a services instance has started; null before. */
    static byte[] tokenSecret(Vertx vertx) {
        Buffer secret = vertx.sharedData().<String, Buffer>getLocalMap(NODE_MAP).get(TOKEN_SECRET_KEY);
        return secret == null ? null : secret.getBytes();
    }

    private Pool pool;
    /** The searches' own connections: a search never holds one another request waits for. */
    private Pool searchPool;
    private final NodeResources shared;
    private PasswordHasher hasher;
    private final List<Local.Served> served = new ArrayList<>();
    private ServiceEndpoints endpoints;
    private EventLoopProbe probe;
    private MessageConsumer<String> loungesChanged;

    /** {@code shared}: the node's caches and Redis client, made once by {@link Main}. */
    ServicesVerticle(NodeResources shared) {
        this.shared = shared;
    }

    @Override
    public Future<?> start() {
        ParleyConfig config = ParleyConfig.from(config());
        pool = Database.pool(vertx, config.db());
        searchPool = Database.searchPool(vertx, config.db(), config.search());
        Cache cache = this.shared.cache();
        // one per node, whatever persistence.instances: its queue bound is the node's (NodeHasher)
        hasher = NodeHasher.acquire(vertx, config.auth());
        probe = new EventLoopProbe(vertx, Metrics.registry(vertx));
        probe.start();
        Db db = new Db(pool, Metrics.registry(vertx), config.persistence().slowQueryMs());
        return Database.ensureSchema(pool, config.db().schema())
                .compose(v -> Migrations.apply(vertx, pool))
                .compose(v -> tokenSecret(db, config.auth()))
                .compose(secret -> {
                    LocalMap<String, Buffer> node = vertx.sharedData().getLocalMap(NODE_MAP);
                    node.put(TOKEN_SECRET_KEY, Buffer.buffer(secret));
                    TokenService tokens = new TokenService(secret, config.auth().accessTokenTtlSeconds());
                    UserStore users = new PgUserStore(db);
                    MeterRegistry registry = Metrics.registry(vertx);
                    Quotas quotas = new Quotas(cache, registry);
                    LocalMap<String, Admission.NodeState> admissionMap = vertx.sharedData().getLocalMap(NODE_MAP + ".admission");
                    Admission admission = new Admission(admissionMap.computeIfAbsent("state", k -> new Admission.NodeState()), cache,
                            config.limits().bcryptPerAddressPerMinute(), config.limits().bcryptConcurrentPerAddress(), registry);
                    RevocationApi revocation = RevocationApi.client(vertx.eventBus());
                    AuthService auth = new AuthService(users, new PgSessionStore(db), hasher, tokens, cache, config.auth(),
                            config.limits(), admission, quotas, families -> revoke(revocation, families));
                    ChatCache chatCache = this.shared.chatCache();
                    PgChannelStore channels = new PgChannelStore(db);
                    PgMessageStore messages = new PgMessageStore(db);
                    Fanout fanout = new Fanout(vertx.eventBus(), config.cluster().fanout());
                    ChatRules chat = new ChatRules(channels, messages, users, chatCache, fanout, registry, quotas, config.limits());
                    PgSearchStore search = new PgSearchStore(vertx, new Db(searchPool, registry, config.persistence().slowQueryMs()),
                            config.search(), registry);
                    ChatReads reads = new ChatReads(channels, messages, search, chatCache, quotas, config.limits());
                    NodeOps ops = new NodeOps(new PgPresenceRecords(db), new PgJobStore(db), db, cache, config.persistence().slowQueryMs(),
                            chatCache, registry);
                    served.add(AuthApi.serve(vertx.eventBus(), auth));
                    served.add(ChatApi.serve(vertx.eventBus(), chat));
                    served.add(ReadsApi.serve(vertx.eventBus(), reads));
                    served.add(OpsApi.serve(vertx.eventBus(), ops));
                    Lounges lounges = new Lounges(new PgLoungeStore(db),
                            () -> vertx.eventBus().publish(Addresses.LOUNGES_CHANGED, "changed"), fanout);
                    loungesChanged = vertx.eventBus().consumer(Addresses.LOUNGES_CHANGED, m -> lounges.changed());
                    served.add(LoungesApi.serve(vertx.eventBus(), lounges));
                    endpoints = new ServiceEndpoints(vertx.eventBus(), chat, auth, config.messages().maxBodyChars());
                    List<Future<?>> ready = new ArrayList<>(served.stream().map(Local.Served::ready).toList());
                    ready.add(loungesChanged.completion());
                    return Future.all(ready).compose(v -> endpoints.register());
                })
                // Vert.x stops only the instances that started: one that failed gives its use of the hasher back itself
                .onFailure(t -> NodeHasher.release(vertx));
    }

    /** Hands ended sessions to the node's revocation verticle, which tells every node; never fails the caller. */
    private static Future<Void> revoke(RevocationApi revocation, Collection<UUID> families) {
        return revocation.revoke(families)
                .recover(t -> {
                    LOG.warn("Ended sessions could not be spread ({}); their access tokens stay valid until they expire", t.toString());
                    return Future.succeededFuture();
                });
    }

    private Future<byte[]> tokenSecret(Db db, ParleyConfig.Auth auth) {
        if (!auth.tokenSecret().isEmpty()) {
            byte[] secret = auth.tokenSecret().getBytes(StandardCharsets.UTF_8);
            return secret.length >= 32 ? Future.succeededFuture(secret)
                    : Future.failedFuture(new IllegalArgumentException("auth.tokenSecret (PARLEY_AUTH_TOKEN_SECRET) must have at least 32 characters"));
        }
        // First node to start creates it; every node of the cluster then shares it through the database.
        return Database.sharedSecret(db, "access-token", TokenService.newSecret());
    }


    /** Stops taking requests, lets those in flight commit and answer, then closes the pool. */
    @Override
    public Future<?> stop() {
        probe.stop();
        if (loungesChanged != null) {
            loungesChanged.unregister();
        }
        Future<Void> drained = Future.join(endpoints == null ? Future.succeededFuture() : endpoints.stop(),
                Future.join(served.stream().map(s -> s.stop(5_000)).toList())).mapEmpty();
        // after the drain: the requests still answering use the pool. The caches are the node's, closed by Main.
        return drained.eventually(() -> Future.join(pool.close(), searchPool.close(), NodeHasher.release(vertx)));
    }
}
