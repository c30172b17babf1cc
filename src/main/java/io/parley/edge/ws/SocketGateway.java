package io.parley.edge.ws;

import io.parley.auth.Authenticator;
import io.parley.config.ParleyConfig;
import io.parley.domain.Principal;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.parley.edge.RateLimiter;
import io.parley.bus.ChatApi;
import io.parley.edge.Origins;
import io.parley.edge.Sending;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.bus.Fanout;
import io.parley.metrics.Metrics;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /ws}: checks Origin and the access token before the upgrade (so a refusal is a plain HTTP
 * 403/401 problem), then hands the socket to a {@link SocketSession}.
 */
public final class SocketGateway {

    /** Offered with a token as {@code Sec-WebSocket-Protocol: parley, token.<accessToken>}. */
    public static final String SUBPROTOCOL = "parley";
    private static final String TOKEN_PROTOCOL_PREFIX = "token.";
    /** The name Vert.x gives the extension handler in the connection's pipeline. */
    private static final String EXTENSION_HANDLER = "webSocketExtensionHandler";
    /** The name of the handler that hands frames to Vert.x: frames are checked just before it. */
    private static final String VERTX_HANDLER = "handler";

    private final Vertx vertx;
    private final Authenticator tokens;
    private final ParleyConfig config;
    private final EdgeHub hub;
    private final ChatApi chat;
    private final Sending sending;
    private final Fanout fanout;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new HashMap<>();
    private final RateLimiter<SocketSession.TypingKey> typingLimiter;

    public SocketGateway(Vertx vertx, Authenticator tokens, ParleyConfig config, EdgeHub hub, ChatApi chat, Sending sending) {
        this.vertx = vertx;
        this.tokens = tokens;
        this.config = config;
        this.hub = hub;
        this.chat = chat;
        this.sending = sending;
        this.fanout = new Fanout(vertx.eventBus(), config.cluster().fanout());
        MeterRegistry r = Metrics.registry(vertx);
        this.registry = r != null ? r : new SimpleMeterRegistry();
        // Typing is ephemeral: at most one event per user and channel per second.
        this.typingLimiter = new RateLimiter<>(1, 1);
    }

    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            ctx.fail(ParleyException.of(ErrorCode.BAD_REQUEST, "This endpoint speaks WebSocket: connect with a WebSocket client."));
            return;
        }
        if (!originAllowed(req)) {
            ctx.fail(ParleyException.of(ErrorCode.ORIGIN_REFUSED, "Connections from origin " + req.getHeader("Origin") + " are not allowed."));
            return;
        }
        Future<Principal> admitted = tokens.authenticate(token(req));
        if (!admitted.isComplete()) {
            req.pause(); // the session is being checked in the database: hold the upgrade until it answers
        }
        admitted.onFailure(ctx::fail).onSuccess(principal -> req.toWebSocket()
                .onSuccess(ws -> validateUtf8(req.connection()))
                .onSuccess(ws -> new SocketSession(ws, principal, hub, vertx.eventBus(), fanout, config, chat, sending, typingLimiter,
                        this::timer, tokens.revocations()).start())
                .onFailure(ctx::fail));
    }

    /** The request timer of a frame type (a known type, or "other", so clients cannot mint meters). */
    Timer timer(String type) {
        String t = Set.of("subscribe", "unsubscribe", "send", "read", "typing", "ping").contains(type) ? type : "other";
        return timers.computeIfAbsent(t, k -> Timer.builder("parley.ws.request")
                .description("WebSocket requests, from the frame's arrival to its ack or error").tag("type", k)
                .publishPercentiles(0.5, 0.95, 0.99).register(registry));
    }

    /**
     * Vert.x installs permessage-deflate without Netty's allocation bound, so one small compressed frame
     * could inflate to many megabytes before the message-size check. Replace the handshaker with one that
     * stops inflating at the message limit; the decoder then fails and the socket is closed with 1009.
     * Called for each new connection, before its first request reaches the extension handler.
     */
    public void boundInflation(HttpConnection connection) {
        if (!config.ws().compression() || !(connection instanceof ConnectionBase conn)) {
            return;
        }
        ChannelPipeline pipeline = conn.channel().pipeline();
        if (pipeline.get(EXTENSION_HANDLER) != null) {
            pipeline.replace(EXTENSION_HANDLER, EXTENSION_HANDLER, new WebSocketServerExtensionHandler(
                    new PerMessageDeflateServerExtensionHandshaker(6, ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
                            PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE, false, false,
                            config.ws().maxMessageBytes())));
        }
    }

    /**
     * Vert.x decodes text frames leniently (an overlong "/" arrives as U+FFFD, with no way to tell), so
     * the bytes are checked before that: Netty's validator refuses malformed, overlong and surrogate
     * UTF-8 in text frames and their continuations, and the socket is closed with 1007 as RFC 6455
     * (section 8.1) requires for text that is not UTF-8.
     */
    private static void validateUtf8(HttpConnection connection) {
        if (connection instanceof ConnectionBase conn) {
            ChannelPipeline pipeline = conn.channel().pipeline();
            if (pipeline.get(Utf8FrameValidator.class) == null && pipeline.get(VERTX_HANDLER) != null) {
                pipeline.addBefore(VERTX_HANDLER, "utf8FrameValidator", new Utf8FrameValidator(false));
            }
        }
    }

    private static String token(HttpServerRequest req) {
        String q = req.getParam("token");
        if (q != null) {
            return q;
        }
        String protocols = req.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null) {
            for (String p : protocols.split(",")) {
                String t = p.trim();
                if (t.startsWith(TOKEN_PROTOCOL_PREFIX)) {
                    return t.substring(TOKEN_PROTOCOL_PREFIX.length());
                }
            }
        }
        return null;
    }

    /** The node's own origin and {@code ws.allowedOrigins} ({@link Origins}). */
    boolean originAllowed(HttpServerRequest req) {
        return originAllowed(req.getHeader("Origin"), req.getHeader("Host"), config.ws().allowedOrigins());
    }

    static boolean originAllowed(String origin, String host, List<String> allowed) {
        return Origins.allowed(origin, host, allowed);
    }
}
