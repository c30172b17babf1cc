package io.parley.support;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real HTTP client for tests (JDK HttpClient), speaking JSON to /api/v1. Every exchange is
 * checked against docs/openapi.yaml ({@link OpenApiContract}); a mismatch fails the test that made it
 * ({@link ContractExtension}).
 */
public final class Api {

    private static final AtomicInteger HANDLES = new AtomicInteger();

    /** An answer; retryAfter is the Retry-After header, or null; headers by lower-case name. */
    public record Resp(int status, String body, String contentType, String retryAfter, Map<String, List<String>> headers) {

        public Resp(int status, String body, String contentType, String retryAfter) {
            this(status, body, contentType, retryAfter, Map.of());
        }

        /** Every value of one header (e.g. Set-Cookie). */
        public List<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
        }

        public JsonObject json() {
            return new JsonObject(body);
        }

        public String code() {
            return json().getString("code");
        }
    }

    /** A signed-up user with its tokens. */
    public record User(long id, String handle, String token, String refreshToken) {
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final boolean management;
    private final boolean documentedLimits;

    public Api(int port) {
        this(port, false, true);
    }

    private Api(int port, boolean management, boolean documentedLimits) {
        this.base = "http://127.0.0.1:" + port;
        this.management = management;
        this.documentedLimits = documentedLimits;
    }

    /** A client of a node's management listener (/metrics), checked against that part of the description. */
    public static Api management(int port) {
        return new Api(port, true, true);
    }

    /**
     * This client for a node configured with other limits than the documented defaults (e.g. longer
     * messages): its answers are still checked against the description, but a request the description
     * refuses may be accepted.
     */
    public Api beyondDocumentedLimits() {
        return new Api(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), management, false);
    }

    public Resp get(String path, String token) {
        return send("GET", path, token, null);
    }

    /** GET outside /api/v1: /health, /metrics, the web client. */
    public Resp getRoot(String path) {
        return send("GET", "/api/../" + path.substring(1), null, null);
    }

    public Resp post(String path, String token, Object body) {
        return send("POST", path, token, body);
    }

    public Resp send(String method, String path, String token, Object body) {
        return send(method, path, token, body, Map.of());
    }

    /** A call with more request headers (X-Parley-Refresh, Cookie, Origin). */
    public Resp send(String method, String path, String token, Object body, Map<String, String> headers) {
        String target = path.startsWith("/api/") ? path.replace("/api/../", "/") : "/api/v1" + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + target))
                .timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        String payload = body == null ? null : body instanceof JsonObject j ? j.encode() : body.toString();
        if (payload != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        b.method(method, payload == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(payload));
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            OpenApiContract.get().check(method, target, management, documentedLimits, token != null, payload, r.statusCode(), r.headers(), r.body());
            Map<String, List<String>> answered = new java.util.TreeMap<>();
            r.headers().map().forEach((k, v) -> answered.put(k.toLowerCase(java.util.Locale.ROOT), v));
            return new Resp(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
                    r.headers().firstValue("Retry-After").orElse(null), answered);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String uniqueHandle(String prefix) {
        return prefix + "_" + HANDLES.incrementAndGet() + "_" + (System.nanoTime() % 100_000);
    }

    public User signup(String prefix) {
        String handle = uniqueHandle(prefix);
        Resp r = post("/auth/signup", null, new JsonObject().put("handle", handle).put("password", "password-" + handle));
        if (r.status() != 201) {
            throw new IllegalStateException("signup failed: " + r);
        }
        return user(r.json());
    }

    public User guest(String name) {
        Resp r = post("/auth/guest", null, new JsonObject().put("displayName", name));
        if (r.status() != 201) {
            throw new IllegalStateException("guest failed: " + r);
        }
        return user(r.json());
    }

    public static User user(JsonObject tokens) {
        JsonObject u = tokens.getJsonObject("user");
        return new User(u.getLong("id"), u.getString("handle"), tokens.getString("accessToken"), tokens.getString("refreshToken"));
    }

    public long createChannel(User owner, String kind, String name, long... members) {
        io.vertx.core.json.JsonArray ids = new io.vertx.core.json.JsonArray();
        for (long m : members) {
            ids.add(m);
        }
        Resp r = post("/channels", owner.token(), new JsonObject().put("kind", kind).put("name", name).put("memberIds", ids));
        if (r.status() != 201) {
            throw new IllegalStateException("create channel failed: " + r);
        }
        return r.json().getLong("id");
    }

    public JsonObject sendMessage(User u, long channelId, String body) {
        Resp r = post("/channels/" + channelId + "/messages", u.token(),
                new JsonObject().put("body", body).put("clientMsgId", "c-" + System.nanoTime()));
        if (r.status() != 201) {
            throw new IllegalStateException("send failed: " + r);
        }
        return r.json();
    }
}
