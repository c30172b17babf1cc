package io.parley.edge.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.config.ParleyConfig;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.metrics.BoundedTags;
import io.parley.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * What every connection and request meets before the router, on one edge instance: the per-address
 * connection cap, the deadline for request headers, the refusal of methods the API does not serve, and
 * the security headers of every answer.
 */
final class EdgeGuard {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeGuard.class);

    /** A refused connection has this long to send its request and read why it is refused. */
    static final long REFUSED_GRACE_MILLIS = 1000;

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final ConnectionCounts counts;
    private final long headerTimeoutMillis;
    /** Connections over the cap, waiting for their first request to be told so. Closed ones leave. */
    private final Set<HttpConnection> refused = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Counter headerTimeouts;
    private final Counter overCap;
    private final Counter unknownMethods;
    private boolean warnedPipeline;

    EdgeGuard(Vertx vertx, ParleyConfig config) {
        this.counts = ConnectionCounts.of(vertx, config.http().maxConnectionsPerAddress());
        this.headerTimeoutMillis = config.http().headerTimeoutSeconds() * 1000L;
        MeterRegistry registry = Metrics.registry(vertx);
        this.headerTimeouts = counter(registry, "header_timeout");
        this.overCap = counter(registry, "connection_cap");
        this.unknownMethods = counter(registry, "unknown_method");
    }

    private static Counter counter(MeterRegistry registry, String reason) {
        return Counter.builder("parley.http.refused")
                .description("Connections closed or requests refused at the edge, before routing")
                .tag("reason", reason).register(registry);
    }

    /** Called for each new connection (the server's connection handler), before its first request. */
    void connected(HttpConnection connection) {
        String address = address(connection.remoteAddress());
        boolean admitted = counts.acquire(address);
        if (admitted) {
            connection.closeHandler(v -> counts.release(address));
        } else {
            overCap.increment();
            refused.add(connection);
            connection.closeHandler(v -> refused.remove(connection));
        }
        long deadline = admitted ? headerTimeoutMillis : Math.min(REFUSED_GRACE_MILLIS, headerTimeoutMillis);
        // Vert.x offers no public way to bound the time to a request's headers (its idle timeout restarts on
        // every byte), so the deadline goes into the connection's Netty pipeline, reachable only through
        // ConnectionBase; without it (another transport) the node warns once and runs without the deadline
        boolean installed = connection instanceof ConnectionBase base
                && HeaderDeadline.install(base.channel().pipeline(), deadline, headerTimeouts::increment);
        if (!installed && !warnedPipeline) {
            warnedPipeline = true;
            LOG.warn("Cannot install the request header deadline on this connection type ({}); http.headerTimeoutSeconds is not enforced",
                    connection.getClass().getName());
        }
    }

    /**
     * Screens a request before the router: sets the security headers, answers a connection over the cap
     * and a method the API does not serve. Answers true when the router should handle the request.
     */
    boolean screen(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        secure(response);
        if (refused.contains(request.connection())) {
            String id = Requests.requestId(request);
            response.putHeader("X-Request-Id", id).putHeader("Connection", "close");
            Problems.write(request, ParleyException.of(ErrorCode.TOO_MANY_CONNECTIONS,
                            "Too many open connections from your address; close some and retry."), id)
                    .eventually(() -> request.connection().close());
            return false;
        }
        if (!BoundedTags.KNOWN_METHODS.contains(request.method().name())) {
            unknownMethods.increment();
            String id = Requests.requestId(request);
            response.putHeader("X-Request-Id", id).putHeader("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
            // the method is not repeated: it is whatever the client sent, up to the whole request line
            Problems.write(request, ParleyException.of(ErrorCode.METHOD_NOT_IMPLEMENTED,
                    "This server does not implement that HTTP method; use GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS."), id);
            return false;
        }
        return true;
    }

    /** The headers every answer carries, JSON and problems included. */
    static void secure(HttpServerResponse response) {
        response.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer");
    }

    private static String address(SocketAddress remote) {
        if (remote == null) {
            return "unknown";
        }
        String host = remote.hostAddress();
        return host != null ? host : remote.toString();
    }
}
