package io.parley.bus;

import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Node-local calls of a typed API over the event bus. A call is a function of the service interface
 * ({@code api -> api.send(principal, post)}); it travels by reference through a codec that never
 * serializes it, to one of the verticle instances that serve the interface on this node, which applies
 * it on its own event loop. The answer, or the {@link ParleyException}, comes back the same way: no JSON
 * is built or parsed on a node-local hop. Calls never leave the node (the codec refuses the wire); what
 * crosses nodes is JSON on the addresses of docs/event-bus.md.
 */
public final class Local {

    /** The codec of node-local calls and their answers: the object itself, by reference. */
    public static final String CODEC = "parley.local";
    /** How long an edge waits for a service before it answers 504 (or a WebSocket {@code timeout} error). */
    static final long TIMEOUT_MILLIS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(Local.class);
    private static final DeliveryOptions OPTIONS = new DeliveryOptions().setCodecName(CODEC).setLocalOnly(true)
            .setSendTimeout(TIMEOUT_MILLIS);

    private Local() {
    }

    /** One call of an interface {@code S} that answers a {@code T}. */
    @FunctionalInterface
    public interface Call<S, T> extends Function<S, Future<T>> {
    }

    /** Registers the codec once per Vert.x instance (a second registration is a no-op). */
    public static synchronized void registerCodec(Vertx vertx) {
        try {
            vertx.eventBus().registerCodec(new ByReference());
        } catch (IllegalStateException alreadyRegistered) {
            // one Vert.x instance, deployed again (tests): the codec is there
        }
    }

    /** Calls the service behind {@code address}; failures arrive as ParleyExceptions. */
    public static <S, T> Future<T> call(EventBus bus, String address, Call<S, T> call) {
        return call(bus, address, call, OPTIONS);
    }

    /** The same, for background work that may wait longer than a client would. */
    public static <S, T> Future<T> call(EventBus bus, String address, Call<S, T> call, long timeoutMillis) {
        return call(bus, address, call, new DeliveryOptions(OPTIONS).setSendTimeout(timeoutMillis));
    }

    @SuppressWarnings("unchecked")
    private static <S, T> Future<T> call(EventBus bus, String address, Call<S, T> call, DeliveryOptions options) {
        return bus.request(address, call, options).transform(ar -> {
            if (ar.failed()) {
                return Future.failedFuture(ParleyException.from(ar.cause()));
            }
            Object body = ar.result().body();
            return body instanceof Throwable t ? Future.failedFuture(t) : Future.succeededFuture((T) body);
        });
    }

    /**
     * Serves {@code service} at {@code address} for this verticle instance (through each interface's
     * {@code serve}, which pins the implementation's type). Instances that serve the same address share
     * the calls round-robin.
     */
    static <S> Served serve(EventBus bus, String address, S service) {
        return new Served(bus, address, service);
    }

    /** A served interface: its consumer, and the calls taken and not yet answered. */
    public static final class Served {

        private final MessageConsumer<Call<Object, ?>> consumer;
        private int inflight;
        private Promise<Void> idle;

        @SuppressWarnings("unchecked")
        private <S> Served(EventBus bus, String address, S service) {
            consumer = bus.localConsumer(address);
            consumer.handler(msg -> apply((Message<Call<Object, ?>>) (Message<?>) msg, service));
        }

        /** Completes once the consumer is registered. */
        public Future<Void> ready() {
            return consumer.completion();
        }

        private void apply(Message<Call<Object, ?>> msg, Object service) {
            inflight++;
            Future<?> result;
            try {
                result = msg.body().apply(service);
            } catch (RuntimeException e) {
                result = Future.failedFuture(e);
            }
            result.onComplete(ar -> {
                if (ar.succeeded()) {
                    msg.reply(ar.result(), OPTIONS);
                } else {
                    ParleyException p = ParleyException.from(ar.cause());
                    if (p.code() == ErrorCode.INTERNAL) {
                        LOG.error("Request on {} failed", msg.address(), ar.cause());
                    }
                    msg.reply(p, OPTIONS);
                }
                inflight--;
                if (inflight == 0 && idle != null) {
                    idle.tryComplete();
                }
            });
        }

        /** Stops taking calls, then waits (at most {@code timeoutMillis}) for those taken to be answered. */
        public Future<Void> stop(long timeoutMillis) {
            return consumer.unregister().otherwiseEmpty().compose(v -> {
                if (inflight == 0) {
                    return Future.succeededFuture();
                }
                idle = Promise.promise();
                return idle.future().timeout(timeoutMillis, TimeUnit.MILLISECONDS).otherwiseEmpty();
            });
        }
    }

    /** Hands the object over as is; it has no wire form, so a node-local call can never cross nodes. */
    private static final class ByReference implements MessageCodec<Object, Object> {

        @Override
        public void encodeToWire(Buffer buffer, Object o) {
            throw new IllegalStateException("A node-local call cannot be sent to another node");
        }

        @Override
        public Object decodeFromWire(int pos, Buffer buffer) {
            throw new IllegalStateException("A node-local call cannot come from another node");
        }

        @Override
        public Object transform(Object o) {
            return o;
        }

        @Override
        public String name() {
            return CODEC;
        }

        @Override
        public byte systemCodecID() {
            return -1;
        }
    }
}
