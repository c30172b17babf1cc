package io.parley.persistence;

import io.parley.Addresses;
import io.parley.auth.AuthService;
import io.parley.cache.Cache;
import io.parley.chat.ChatService;
import io.parley.chat.Input;
import io.parley.chat.Views;
import io.parley.config.ParleyConfig;
import io.parley.domain.Principal;
import io.parley.error.ErrorCode;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Binds the request/reply addresses served by the persistence verticle. Requests are JsonObjects; the
 * acting user travels in {@code as: {uid, kind, role, fid}}, set by the edge from a verified token.
 * Failures reply with the {@link ErrorCode} number and a sentence for the user.
 */
final class PersistenceApi {

    private static final Logger LOG = LoggerFactory.getLogger(PersistenceApi.class);

    private final EventBus eventBus;
    private final AuthService auth;
    private final ChatService chat;
    private final UserStore users;
    private final OpsStore ops;
    private final Db db;
    private final Cache cache;
    private final ParleyConfig config;
    private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
    private int inflight;
    private io.vertx.core.Promise<Void> idle;

    PersistenceApi(EventBus eventBus, AuthService auth, ChatService chat, UserStore users, OpsStore ops, Db db, Cache cache,
                   ParleyConfig config) {
        this.eventBus = eventBus;
        this.auth = auth;
        this.chat = chat;
        this.users = users;
        this.ops = ops;
        this.db = db;
        this.cache = cache;
        this.config = config;
    }

    Future<Void> register() {
        local(Addresses.AUTH_SIGNUP, b -> auth.signup(address(b), b.getString("handle"), b.getString("password"), b.getString("displayName"),
                b.getString("phoneNumber")).map(Views::tokens));
        local(Addresses.AUTH_SIGNIN, b -> auth.signin(address(b), b.getString("identifier"), b.getString("password")).map(Views::tokens));
        local(Addresses.AUTH_REFRESH, b -> auth.refresh(b.getString("refreshToken")).map(Views::tokens));
        local(Addresses.AUTH_GUEST, b -> auth.guest(address(b), b.getString("displayName")).map(Views::tokens));
        local(Addresses.AUTH_SESSION_ACTIVE, b -> auth.sessionActive(b.getString("fid")).map(a -> new JsonObject().put("active", a)));
        local(Addresses.AUTH_SIGNOUT, b -> auth.signout(as(b)).map(v -> new JsonObject()));
        local(Addresses.AUTH_PASSWORD, b -> auth.changePassword(as(b), address(b), b.getString("currentPassword"), b.getString("newPassword"))
                .map(v -> new JsonObject()));
        local(Addresses.USER_GET, b -> users.byId(as(b).userId()).map(u -> Views.me(u.orElseThrow(() ->
                ParleyException.of(ErrorCode.UNAUTHORIZED, "This account no longer exists.")))));
        local(Addresses.CHANNEL_LIST, b -> chat.list(as(b)));
        local(Addresses.CHANNEL_CREATE, b -> chat.create(as(b), b.getString("kind"), b.getString("name"), b.getString("topic"),
                Input.ids(b, "memberIds", config.limits().maxMembersPerCreate())));
        local(Addresses.CHANNEL_GET, b -> chat.get(as(b), b.getLong("channelId")));
        local(Addresses.CHANNEL_ACCESS_MANY, b -> chat.accessMany(as(b), longs(b, "channelIds")));
        local(Addresses.CHANNEL_POSITIONS, b -> chat.positions(longs(b, "channelIds")));
        local(Addresses.CHANNEL_ADD_MEMBER, b -> chat.addMember(as(b), b.getLong("channelId"), b.getLong("userId")));
        local(Addresses.CHANNEL_REMOVE_MEMBER, b -> chat.removeMember(as(b), b.getLong("channelId"), b.getLong("userId"))
                .map(v -> new JsonObject()));
        local(Addresses.CHANNEL_DIRECT, b -> chat.direct(as(b), b.getLong("userId")));
        local(Addresses.MESSAGE_PAGE, b -> chat.page(as(b), b.getLong("channelId"), b.getLong("before"), b.getLong("after"),
                b.getInteger("limit")));
        local(Addresses.MESSAGE_REPLAY, b -> chat.replay(as(b), b.getLong("channelId"), b.getLong("after"), b.getInteger("limit"))
                .map(list -> new JsonObject().put("messages", list)));
        local(Addresses.MESSAGE_SEND, b -> chat.send(as(b), b.getLong("channelId"), b.getString("clientMsgId"), b.getString("body")));
        local(Addresses.MESSAGE_EDIT, b -> chat.edit(as(b), b.getLong("channelId"), b.getLong("seq"), b.getString("body")));
        local(Addresses.MESSAGE_DELETE, b -> chat.delete(as(b), b.getLong("channelId"), b.getLong("seq")));
        local(Addresses.MESSAGE_SEARCH, b -> chat.search(as(b), b.getString("q"), b.getLong("channelId"), b.getString("before"),
                b.getInteger("limit")));
        local(Addresses.MESSAGE_READ, b -> chat.read(as(b), b.getLong("channelId"), b.getLong("seq")));
        local(Addresses.PRESENCE_CHANNELS, b -> ops.presenceChannels(longs(b, "userIds")).map(m -> {
            JsonObject out = new JsonObject();
            m.forEach((user, channels) -> out.put(String.valueOf(user), new JsonArray(channels)));
            return new JsonObject().put("channels", out);
        }));
        local(Addresses.PRESENCE_UPDATE, b -> ops.updatePresence(longs(b, "userIds"),
                b.getJsonArray("online").stream().map(o -> (Boolean) o).toList()).map(v -> new JsonObject()));
        local(Addresses.PRESENCE_LAST_SEEN, b -> ops.updateLastSeen(longs(b, "userIds"), longs(b, "millis")).map(v -> new JsonObject()));
        local(Addresses.PRESENCE_ONLINE_USERS, b -> ops.onlineUsers(b.getInteger("limit")).map(ids -> new JsonObject().put("userIds", new JsonArray(ids))));
        local(Addresses.PRESENCE_VISIBLE, b -> ops.presenceVisible(as(b).userId(), longs(b, "userIds"))
                .map(ids -> new JsonObject().put("userIds", new JsonArray(ids))));
        local(Addresses.PRESENCE_FALLBACK, b -> ops.presenceFallback(longs(b, "userIds")).map(a -> new JsonObject().put("presence", a)));
        local(Addresses.JOB_CLAIM, b -> ops.claimJob(b.getString("name"), b.getInteger("intervalSeconds"), b.getInteger("leaseSeconds"),
                b.getString("node")).map(won -> new JsonObject().put("claimed", won)));
        local(Addresses.JOB_DONE, b -> ops.jobDone(b.getString("name"), b.getLong("durationMs"), b.getString("result")).map(v -> new JsonObject()));
        local(Addresses.PURGE, b -> ops.purge());
        local(Addresses.PERF_SLOW, b -> Future.succeededFuture(new JsonObject().put("slowQueries", db.slowQueries())
                .put("thresholdMs", config.persistence().slowQueryMs()).put("queryCount", db.queryCount())));
        local(Addresses.HEALTH, b -> db.query("SELECT 1", io.vertx.sqlclient.Tuple.tuple())
                .map(r -> "up").otherwise("down")
                .compose(dbStatus -> cache.check().map(redis -> new JsonObject().put("db", dbStatus).put("redis", redis))));
        bind(eventBus.consumer(Addresses.API_SEND), this::serviceSend);
        bind(eventBus.consumer(Addresses.API_JOIN), this::serviceJoin);
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
    }

    /** parley.api.send: an internal service posts as its own service user, through the user send path. */
    private Future<JsonObject> serviceSend(JsonObject b) {
        long channelId = Input.id(b, "channelId");
        String body = Input.body(Input.string(b, "body"), config.messages().maxBodyChars());
        String clientMsgId = Input.clientMsgId(Input.string(b, "clientMsgId"));
        return service(Input.id(b, "senderId")).compose(p -> chat.send(p, channelId, clientMsgId, body))
                .map(m -> new JsonObject().put("channelId", channelId).put("seq", m.getLong("seq"))
                        .put("createdAt", m.getString("createdAt")).put("created", m.getBoolean("created")));
    }

    /** parley.api.join: a service joins a public channel or room, by the rules a user joins by. */
    private Future<JsonObject> serviceJoin(JsonObject b) {
        long channelId = Input.id(b, "channelId");
        return service(Input.id(b, "userId")).compose(p -> chat.addMember(p, channelId, null));
    }

    /** The principal of a service user; any other kind of user is refused, so a service cannot speak as a person. */
    private Future<Principal> service(long userId) {
        return users.byId(userId).compose(u -> u.isPresent() && u.get().kind() == io.parley.domain.UserKind.SERVICE
                ? Future.succeededFuture(new Principal(userId, io.parley.domain.UserKind.SERVICE, u.get().role(), new UUID(0, 0).toString()))
                : Future.failedFuture(ParleyException.of(ErrorCode.FORBIDDEN, "User " + userId + " is not a service user.")));
    }

    private static List<Long> longs(JsonObject body, String field) {
        return body.getJsonArray(field).stream().map(o -> ((Number) o).longValue()).toList();
    }

    /** The client's address as the edge saw it (requests from inside the node have none). */
    private static String address(JsonObject body) {
        String a = body.getString("addr");
        return a == null || a.isEmpty() ? "internal" : a;
    }

    private static Principal as(JsonObject body) {
        JsonObject as = body.getJsonObject("as");
        return new Principal(as.getLong("uid"), io.parley.domain.UserKind.of(as.getString("kind")),
                io.parley.domain.UserRole.of(as.getString("role")), as.getString("fid"));
    }

    /** Handlers answer a JsonObject, or a Buffer holding the JSON bytes of a response (cached reads). */
    private void local(String address, Function<JsonObject, Future<?>> handler) {
        bind(eventBus.localConsumer(address), handler);
    }

    private void bind(MessageConsumer<JsonObject> consumer, Function<JsonObject, Future<?>> handler) {
        consumers.add(consumer);
        consumer.handler(msg -> call(handler, msg));
    }

    /** Unregisters every address, then waits (bounded) for the requests already taken to be answered. */
    Future<Void> stop(long timeoutMillis) {
        return Future.join(consumers.stream().map(MessageConsumer::unregister).toList()).otherwiseEmpty().compose(v -> {
            if (inflight == 0) {
                return Future.succeededFuture();
            }
            idle = io.vertx.core.Promise.promise();
            return idle.future().timeout(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS).otherwiseEmpty();
        });
    }

    private void call(Function<JsonObject, Future<?>> handler, Message<JsonObject> msg) {
        inflight++;
        Future<?> result;
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
            if (p.retryAfterSeconds() > 0) {
                msg.reply(p.toReply()); // keeps Retry-After on its way to the edge
            } else {
                msg.fail(p.code().number, p.getMessage());
            }
        }).onComplete(ar -> {
            inflight--;
            if (inflight == 0 && idle != null) {
                idle.tryComplete();
            }
        });
    }
}
