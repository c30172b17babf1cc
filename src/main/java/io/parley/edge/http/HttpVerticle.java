package io.parley.edge.http;

import io.parley.bus.AuthApi;
import io.parley.bus.ChatApi;
import io.parley.bus.OpsApi;
import io.parley.bus.PresenceApi;
import io.parley.bus.LoungesApi;
import io.parley.bus.ReadsApi;
import io.parley.edge.SendLimiter;
import io.parley.edge.Sending;
import io.parley.auth.TokenService;
import io.parley.config.ParleyConfig;
import io.parley.edge.ws.EdgeHub;
import io.parley.edge.ws.SocketGateway;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.concurrent.TimeUnit;
import io.parley.auth.Authenticator;
import io.parley.auth.RevocationVerticle;
import io.parley.cache.Cache;
import io.parley.metrics.ClusterMembers;
import io.parley.metrics.EventLoopProbe;
import io.parley.metrics.Metrics;
import java.util.List;
import java.util.function.Supplier;

/**
 * The edge of a node: one HTTP server per instance on the shared port, serving the REST API, the web
 * client, /health and the WebSocket upgrade on /ws. Every connection and request is screened first
 * ({@link EdgeGuard}: per-address cap, header deadline, unknown methods, security headers). HTTP and WebSocket share the port, so the sockets
 * live on these instances (one {@link EdgeHub} each); the node-wide channel subscriptions are the
 * socket verticle's.
 */
public class HttpVerticle extends VerticleBase {

    static final int SHUTDOWN_SECONDS = 8;

    private HttpServer server;
    private EdgeHub hub;
    private long idleTimer;
    private EventLoopProbe probe;
    private PerfHandler perf;
    /** The node's shared cache: the cluster-wide send buckets live there. */
    private final Cache sendCache;
    private final byte[] tokenSecret;
    private final Supplier<String> nodeState;

    /**
     * {@code tokenSecret}: the cluster's access-token secret, which the services verticle made sure of;
     * {@code nodeState}: the node's lifecycle state ("starting", "ready", "draining"), for /health/ready;
     * {@code sharedCache}: the node's shared cache, where the cluster-wide send buckets are kept.
     */
    public HttpVerticle(byte[] tokenSecret, Supplier<String> nodeState, Cache sharedCache) {
        this.tokenSecret = tokenSecret;
        this.nodeState = nodeState;
        this.sendCache = sharedCache;
    }

    @Override
    public Future<?> start() {
        ParleyConfig config = ParleyConfig.from(config());
        if (tokenSecret == null) {
            return Future.failedFuture(new IllegalStateException("deploy the services verticle before the HTTP verticle"));
        }
        TokenService verifier = new TokenService(tokenSecret, config.auth().accessTokenTtlSeconds());
        Authenticator tokens = new Authenticator(verifier,
                RevocationVerticle.shared(vertx, config.auth()), AuthApi.client(vertx.eventBus()));
        probe = new EventLoopProbe(vertx, Metrics.registry(vertx));
        probe.start();
        hub = new EdgeHub(vertx);
        // One send budget per user, whether the user sends over HTTP or WebSocket, on this instance and cluster-wide
        // (reported to the shared buckets once per 50 ms with sends, never awaited).
        SendLimiter sendLimiter = new SendLimiter(vertx, config.ws().sendRatePerSecond(), config.ws().sendBurst(), sendCache);
        ChatApi chat = ChatApi.client(vertx.eventBus());
        Sending sending = new Sending(chat, sendLimiter, config.messages().maxBodyChars());
        SocketGateway gateway = new SocketGateway(vertx, tokens, config, hub, chat, sending);
        Router router = router(config, tokens, gateway, chat, sending);
        long idleMillis = config.ws().idleTimeoutSeconds() * 1000L;
        idleTimer = vertx.setPeriodic(Math.min(5000, idleMillis), id -> hub.sweepIdle(idleMillis));
        EdgeGuard guard = new EdgeGuard(vertx, config);
        server = vertx.createHttpServer(serverOptions(config))
                .requestHandler(req -> {
                    if (guard.screen(req)) {
                        router.handle(req);
                    }
                })
                .connectionHandler(connection -> {
                    guard.connected(connection);
                    gateway.boundInflation(connection);
                });
        return hub.start().compose(v -> server.listen());
    }

    private Router router(ParleyConfig config, Authenticator tokens, SocketGateway gateway, ChatApi chat, Sending sending) {
        OpsApi ops = OpsApi.client(vertx.eventBus(), 10_000);
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            ctx.response().putHeader("X-Request-Id", Requests.requestId(ctx));
            if (config.log().accessLog()) {
                AccessLog.watch(ctx);
            }
            ctx.next();
        });
        router.get("/ws").handler(gateway::handle);
        router.get("/health").handler(ctx -> ops.health()
                .otherwise(new OpsApi.Health("down", "unknown"))
                .onSuccess(health -> {
                    JsonObject h = new JsonObject().put("db", health.db()).put("redis", health.redis());
                    boolean dbUp = "up".equals(health.db());
                    h.put("cluster", new JsonObject().put("enabled", vertx.isClustered()).put("node", ClusterMembers.nodeId(vertx))
                            .put("members", ClusterMembers.count(vertx)));
                    h.put("status", !dbUp ? "down" : "down".equals(h.getString("redis")) ? "degraded" : "up");
                    Requests.json(ctx, dbUp ? 200 : 503, h);
                }));
        // liveness: the process and this event loop answer; readiness: every verticle deployed, not draining, database reachable
        router.get("/health/live").handler(ctx -> Requests.json(ctx, 200, new JsonObject().put("status", "live")));
        router.get("/health/ready").handler(ctx -> {
            String state = nodeState.get();
            if (!"ready".equals(state)) {
                Requests.json(ctx, 503, new JsonObject().put("ready", false).put("reason", state));
                return;
            }
            ops.health().otherwise(new OpsApi.Health("down", "unknown"))
                    .onSuccess(h -> {
                        boolean dbUp = "up".equals(h.db());
                        Requests.json(ctx, dbUp ? 200 : 503, dbUp ? new JsonObject().put("ready", true)
                                : new JsonObject().put("ready", false).put("reason", "database unreachable"));
                    });
        });
        // /metrics is served by the management listener (ManagementVerticle), not on this public port
        perf = new PerfHandler(vertx, ops, config.db().poolSize(), config.http().port());
        router.get("/admin/perf").handler(ctx -> Requests.authenticate(ctx, tokens)).handler(perf::handle);
        Router api = Router.router(vertx);
        api.route().handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes()));
        new AuthRoutes(AuthApi.client(vertx.eventBus()), config).mount(api, ctx -> Requests.authenticate(ctx, tokens));
        new ChannelRoutes(chat, ReadsApi.client(vertx.eventBus()), PresenceApi.client(vertx.eventBus()), sending, config)
                .mount(api, ctx -> Requests.authenticate(ctx, tokens));
        new LoungeRoutes(LoungesApi.client(vertx.eventBus())).mount(api, ctx -> Requests.authenticate(ctx, tokens));
        router.route("/api/v1/*").subRouter(api);
        // the web chat at /, its client library at /client/parley-client.js, the ops console at /admin/
        router.get("/admin").handler(ctx -> {
            if ("/admin".equals(ctx.request().path())) {
                ctx.redirect("/admin/");
            } else {
                ctx.next();
            }
        });
        // the files keep their names across releases: browsers revalidate them on each load (Last-Modified,
        // answered 304 when unchanged) instead of keeping last week's app.js for a day
        router.route("/*").handler(ctx -> {
            ctx.addHeadersEndHandler(v -> ctx.response().headers().set("Cache-Control", "no-cache"));
            ctx.next();
        });
        router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(true).setIndexPage("index.html"));
        router.route().last().handler(ctx -> ctx.fail(404));
        router.route().failureHandler(Problems::handle);
        api.route().failureHandler(Problems::handle);
        return router;
    }

    private static HttpServerOptions serverOptions(ParleyConfig config) {
        ParleyConfig.Ws ws = config.ws();
        return new HttpServerOptions()
                .setHost(config.http().host())
                .setPort(config.http().port())
                .setIdleTimeout(Math.max(config.http().idleTimeoutSeconds(), ws.idleTimeoutSeconds()))
                .setMaxWebSocketFrameSize(ws.maxFrameBytes())
                .setMaxWebSocketMessageSize(ws.maxMessageBytes())
                .setPerMessageWebSocketCompressionSupported(ws.compression())
                .setPerFrameWebSocketCompressionSupported(false)
                .setWebSocketSubProtocols(List.of(SocketGateway.SUBPROTOCOL))
                .setCompressionSupported(true)
                // HTTP/1.1 and WebSocket only: HTTP/2 over cleartext would bypass the header deadline and the
                // screening of connections (EdgeGuard), and no Parley client uses it
                .setHttp2ClearTextEnabled(false)
                .setTcpNoDelay(true)
                // Every socket is served on its edge's event loop (sessions, hub, timers and replies all run
                // there), so Vert.x can write directly instead of through a per-connection MPSC queue
                // (4 KiB each): about a fifth of an idle socket's heap (docs/benchmarks.md).
                .setStrictThreadMode(true);
    }

    /**
     * Graceful: the server stops accepting, in-flight HTTP requests complete, and every socket drains its
     * in-flight sends and closes with 1012 (reconnect elsewhere); after the timeout the rest is cut.
     */
    @Override
    public Future<?> stop() {
        vertx.cancelTimer(idleTimer);
        probe.stop();
        perf.stop();
        return server.shutdown(SHUTDOWN_SECONDS, TimeUnit.SECONDS).eventually(() -> hub.stop());
    }
}
