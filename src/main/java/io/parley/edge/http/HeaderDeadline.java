package io.parley.edge.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1 connection whose request headers do not arrive in time. The idle timeout alone does
 * not stop a client that sends one header byte every few seconds: each byte resets it.
 *
 * <p>The clock runs from the moment the connection opens (a client connects to send a request) and, on a
 * kept-alive connection, from the first byte of each later request; it stops when the request's headers
 * are complete. A body upload is not timed here (the idle timeout and the body limit cover it), nor is
 * the wait between keep-alive requests (the idle timeout), nor is a WebSocket after its upgrade: both
 * handlers leave the pipeline on the 101 answer.
 *
 * <p>Two handlers share the state: one before the HTTP decoder sees raw bytes arrive, one next to Vert.x's
 * handler sees decoded request heads and bodies in, and response ends out. All on the channel's event loop.
 */
final class HeaderDeadline {

    static final String BYTES = "parley-header-bytes";
    static final String HEADS = "parley-header-heads";
    private static final String DECODER = "httpDecoder";
    private static final String VERTX = "handler";

    private final long timeoutNanos;
    private final Runnable onTimeout;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    /** When the current wait for headers began, or -1 when no request is being waited for. */
    private long awaitingSince;
    /** Responses still owed to requests whose heads arrived (pipelining allows several). */
    private int owed;
    private boolean bodyOpen;
    private boolean betweenRequests;

    private HeaderDeadline(long timeoutMillis, Runnable onTimeout) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.onTimeout = onTimeout;
    }

    /**
     * Installs the deadline on a new HTTP/1 connection's pipeline; false when the pipeline is not the one
     * expected (then nothing is installed). {@code onTimeout} runs when a connection is closed for it.
     */
    static boolean install(ChannelPipeline pipeline, long timeoutMillis, Runnable onTimeout) {
        if (pipeline.get(DECODER) == null || pipeline.get(VERTX) == null) {
            return false;
        }
        HeaderDeadline d = new HeaderDeadline(timeoutMillis, onTimeout);
        pipeline.addBefore(DECODER, BYTES, d.new Bytes());
        pipeline.addBefore(VERTX, HEADS, d.new Heads());
        return true;
    }

    private void await() {
        awaitingSince = System.nanoTime();
        if (timer == null) {
            timer = ctx.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** One timer per connection, re-aimed lazily instead of cancelled and rescheduled for every request. */
    private void expire() {
        timer = null;
        if (awaitingSince < 0 || !ctx.channel().isActive()) {
            return;
        }
        long left = awaitingSince + timeoutNanos - System.nanoTime();
        if (left > 0) {
            timer = ctx.executor().schedule(this::expire, left, TimeUnit.NANOSECONDS);
            return;
        }
        onTimeout.run();
        ctx.channel().close();
    }

    private void headersArrived(boolean complete) {
        awaitingSince = -1;
        betweenRequests = false;
        owed++;
        bodyOpen = !complete;
    }

    private void maybeBetweenRequests() {
        if (owed == 0 && !bodyOpen) {
            betweenRequests = true;
        }
    }

    private void stop() {
        awaitingSince = -1;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Sees raw bytes: the first byte of a kept-alive connection's next request starts the clock. */
    private final class Bytes extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            if (betweenRequests && msg instanceof ByteBuf b && b.isReadable()) {
                betweenRequests = false;
                await();
            }
            c.fireChannelRead(msg);
        }
    }

    /** Sees decoded request heads and bodies coming in and response ends going out. */
    private final class Heads extends ChannelDuplexHandler {

        @Override
        public void handlerAdded(ChannelHandlerContext c) {
            ctx = c;
            await(); // the connection has just opened: its first request must arrive in time
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext c) {
            stop();
        }

        @Override
        public void channelInactive(ChannelHandlerContext c) {
            stop();
            c.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            if (msg instanceof HttpRequest) {
                headersArrived(msg instanceof LastHttpContent);
            } else if (msg instanceof LastHttpContent) {
                bodyOpen = false;
                maybeBetweenRequests();
            }
            c.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse r && HttpResponseStatus.SWITCHING_PROTOCOLS.equals(r.status())) {
                // upgraded (WebSocket): no more HTTP requests on this connection, nothing to time
                stop();
                c.write(msg, promise);
                ChannelPipeline p = c.pipeline();
                if (p.get(BYTES) != null) {
                    p.remove(BYTES);
                }
                p.remove(this);
                return;
            }
            if (msg instanceof LastHttpContent) {
                owed = Math.max(0, owed - 1);
                maybeBetweenRequests();
            }
            c.write(msg, promise);
        }
    }
}
