package io.parley.edge.http;

import io.parley.config.ParleyConfig;
import io.parley.metrics.Metrics;
import io.parley.metrics.RedisMemory;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.parley.redis.NodeRedis;

/**
 * The node's management listener: {@code /metrics} for Prometheus, on its own host and port
 * ({@code management.*}, loopback by default) so the scrape, which needs no sign-in and shows the
 * node's internals, is not on the public port. Deployed once per node; it also samples Redis' memory
 * for the scrape ({@link RedisMemory}).
 */
public class ManagementVerticle extends VerticleBase {

    private HttpServer server;
    private RedisMemory redisMemory;
    private final NodeRedis redis;

    /** {@code redis}: the node's client, sampled for its memory; null when Redis is not configured. */
    public ManagementVerticle(NodeRedis redis) {
        this.redis = redis;
    }

    @Override
    public Future<?> start() {
        ParleyConfig config = ParleyConfig.from(config());
        ParleyConfig.Management management = config.management();
        redisMemory = redis == null ? null : RedisMemory.start(vertx, redis);
        Router router = Router.router(vertx);
        String registry = Metrics.registryName(vertx);
        if (registry != null) {
            router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
        }
        router.route().last().handler(ctx -> ctx.fail(404));
        router.route().failureHandler(Problems::handle);
        server = vertx.createHttpServer(new HttpServerOptions().setHost(management.host()).setPort(management.port())
                .setIdleTimeout(60).setHttp2ClearTextEnabled(false));
        return server.requestHandler(router).listen();
    }

    @Override
    public Future<?> stop() {
        if (redisMemory != null) {
            redisMemory.stop();
        }
        return server == null ? Future.succeededFuture() : server.close();
    }
}
