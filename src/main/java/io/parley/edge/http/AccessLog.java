package io.parley.edge.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One line per HTTP request when {@code log.accessLog} is on, on the logger {@code parley.access}:
 * method, path (never the query string, which may hold a WebSocket token), status, bytes sent, time
 * to the last byte, client address and request id (also in the MDC, so JSON lines carry it as a field).
 * A WebSocket upgrade is logged when the upgrade is answered, not when the socket closes.
 */
final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger("parley.access");

    private AccessLog() {
    }

    static void watch(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addEndHandler(ar -> {
            HttpServerRequest req = ctx.request();
            String id = Requests.requestId(ctx);
            MDC.put("requestId", id);
            try {
                LOG.info("{} {} {} {}B {}ms {} requestId={}", req.method(), req.path(), ctx.response().getStatusCode(),
                        ctx.response().bytesWritten(), String.format("%.1f", (System.nanoTime() - start) / 1e6),
                        Requests.clientAddress(ctx), id);
            } finally {
                MDC.remove("requestId");
            }
        });
    }
}
