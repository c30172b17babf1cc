package io.parley.edge.service;

import io.parley.bus.Addresses;
import io.parley.bus.AuthApi;
import io.parley.bus.ChatApi;
import io.parley.bus.Commands;
import io.parley.edge.Input;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Function;

/**
 * The edge for internal services: the cluster-wide addresses {@code parley.api.send} and
 * {@code parley.api.join} (docs/event-bus.md). A request is JSON, from any JVM of the cluster; it is
 * checked like a WebSocket frame and goes through the same chat rules as a user's, acting as the named
 * service user. Failures reply with the {@link ErrorCode} number and a sentence.
 */
public final class ServiceEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceEndpoints.class);

    private final EventBus eventBus;
    private final ChatApi chat;
    private final AuthApi auth;
    private final int maxBodyChars;
    private List<MessageConsumer<JsonObject>> consumers = List.of();

    public ServiceEndpoints(EventBus eventBus, ChatApi chat, AuthApi auth, int maxBodyChars) {
        this.eventBus = eventBus;
        this.chat = chat;
        this.auth = auth;
        this.maxBodyChars = maxBodyChars;
    }

    public Future<Void> register() {
        consumers = List.of(bind(Addresses.API_SEND, this::send), bind(Addresses.API_JOIN, this::join));
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
    }

    public Future<Void> stop() {
        return Future.join(consumers.stream().map(MessageConsumer::unregister).toList()).<Void>mapEmpty().otherwiseEmpty();
    }

    /** parley.api.send: an internal service posts as its own service user, through the user send path. */
    private Future<JsonObject> send(JsonObject b) {
        long channelId = Input.id(b, "channelId");
        String body = Input.body(Input.string(b, "body"), maxBodyChars);
        String clientMsgId = Input.clientMsgId(Input.string(b, "clientMsgId"));
        return auth.service(Input.id(b, "senderId")).compose(p -> chat.send(p, new Commands.Post(channelId, clientMsgId, body)))
                .map(r -> new JsonObject().put("channelId", channelId).put("seq", r.message().seq())
                        .put("createdAt", r.message().createdAt().toInstant().toString()).put("created", r.created())
                        .put("status", r.message().status()));
    }

    /** parley.api.join: a service joins a public channel or room, by the rules a user joins by. */
    private Future<JsonObject> join(JsonObject b) {
        long channelId = Input.id(b, "channelId");
        return auth.service(Input.id(b, "userId")).compose(p -> chat.addMember(p, channelId, null))
                .map(j -> new JsonObject().put("channelId", j.channelId()).put("userId", j.userId()).put("added", j.added()));
    }

    private MessageConsumer<JsonObject> bind(String address, Function<JsonObject, Future<JsonObject>> handler) {
        MessageConsumer<JsonObject> consumer = eventBus.consumer(address);
        consumer.handler(msg -> answer(msg, handler));
        return consumer;
    }

    private static void answer(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> handler) {
        Future<JsonObject> result;
        try {
            result = handler.apply(msg.body() == null ? new JsonObject() : msg.body());
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        result.onSuccess(msg::reply).onFailure(t -> {
            ParleyException p = ParleyException.from(t);
            if (p.code() == ErrorCode.INTERNAL) {
                LOG.error("Request on {} failed", msg.address(), t);
            }
            msg.fail(p.code().number, p.getMessage());
        });
    }
}
