package io.parley.config;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;
import io.vertx.core.json.JsonArray;

/**
 * The typed configuration tree. Every verticle receives the whole JSON tree and parses it again with
 * {@link #from(JsonObject)}, which is cheap and keeps one place that validates values.
 */
public record ParleyConfig(Http http, Ws ws, Db db, Redis redis, Cache cache, Auth auth, Cluster cluster,
                           Persistence persistence, Presence presence, Messages messages, Management management,
                           Limits limits, Search search, Log log, JsonObject json) {

    /** format: "text" (one line per event) or "json" (one JSON object per line); accessLog: a line per HTTP request. */
    public record Log(String format, boolean accessLog) {
    }

    /**
     * nativeTransport: Netty's epoll transport on Linux (falls back to NIO where it is not available).
     * headerTimeoutSeconds: a request's headers must be complete this long after the connection opens or
     * after the first byte of a later request; maxConnectionsPerAddress: open connections per client
     * address on this node, 0 = no cap (behind a load balancer every connection comes from its address).
     */
    public record Http(String host, int port, int instances, int idleTimeoutSeconds, int maxBodyBytes, boolean nativeTransport,
                       int headerTimeoutSeconds, int maxConnectionsPerAddress) {
    }

    /** The listener of /metrics, away from the public port: one per node. */
    public record Management(boolean enabled, String host, int port) {
    }

    /**
     * allowedOrigins: empty = same origin as the Host header only; "*" = any origin. The per-socket bounds
     * (maxInflightFrames, maxChannelsPerFrame, maxReplayPerFrame, maxConcurrentSubscribes) keep what one
     * frame or one silent client costs the node bounded (docs/operations.md, "Limits and abuse").
     */
    public record Ws(int maxFrameBytes, int maxMessageBytes, int idleTimeoutSeconds, boolean compression,
                     List<String> allowedOrigins, int sendRatePerSecond, int sendBurst, int replayPageSize,
                     int maxSubscriptions, int maxInflightFrames, int maxChannelsPerFrame, int maxReplayPerFrame,
                     int maxConcurrentSubscribes) {
    }

    public record Db(String url, int poolSize, int pipeliningLimit, String embeddedDataDir, int embeddedPort,
                     String schema) {
    }

    /** One client per node: {@code poolSize} connections at most, shared by every verticle. */
    public record Redis(String url, int timeoutMs, int poolSize) {
    }

    /** Cache-aside TTLs (channel lists, message pages) and the size over which values are gzipped. */
    public record Cache(boolean enabled, int channelListTtlSeconds, int pageTtlSeconds, int searchTtlSeconds, int gzipOverBytes) {
    }

    public record Auth(String tokenSecret, int accessTokenTtlSeconds, int refreshTokenTtlSeconds,
                       int guestTtlSeconds, int bcryptCost, int bcryptThreads, int bcryptMaxWaitMs, int signinMaxFailures,
                       int signinWindowSeconds, int refreshReuseGraceSeconds, int revocationSyncMillis,
                       int revocationTrustSeconds) {
    }

    /** fanout: "channel" (a consumer per channel with local subscribers) or "broadcast" (one address, filtered). */
    public record Cluster(boolean enabled, String config, String members, String host, int port, int busPort, String fanout) {
    }

    public record Persistence(int instances, int slowQueryMs) {
    }

    /**
     * What one search may cost (docs/decisions.md, "Search reads a bounded number of rows"): it reads at
     * most scanRows messages newest first and then at most candidates matches from the full-text index;
     * each of its statements ends after timeoutMs; each services instance runs at most poolSize at once
     * on a pool of that many connections of its own, and lets queue more wait (each at most timeoutMs).
     */
    public record Search(int scanRows, int candidates, int timeoutMs, int poolSize, int queue) {
    }

    public record Messages(int maxBodyChars, int pageSize) {
    }

    /**
     * Abuse limits. Per client address: bcrypt work (sign-in, sign-up, password change) admitted per minute
     * and at once, sign-ups and guests per hour. Per handle: failed sign-ins from all addresses together
     * before only addresses that signed in before are let through. Per user and hour: channels,
     * invitations and new direct channels; and the members one create may add. Searches per user and per
     * address and minute. Counted in Redis (so cluster-wide), in-process on a node when Redis is down.
     */
    public record Limits(int bcryptPerAddressPerMinute, int bcryptConcurrentPerAddress, int signinFailuresPerHandle,
                         int signupsPerAddressPerHour, int guestsPerAddressPerHour, int channelsPerUserPerHour,
                         int invitationsPerUserPerHour, int directChannelsPerUserPerHour, int maxMembersPerCreate,
                         int nonMemberBansPerUserPerHour, int searchesPerUserPerMinute, int searchesPerAddressPerMinute) {
    }

    /**
     * Connections are refreshed every heartbeat and expire after connectionTtl without one (a dead node's
     * users go offline within about connectionTtl + sweep); an offline change is announced only after
     * offlineGrace, and changes go out in batches every batchMillis.
     */
    public record Presence(int heartbeatSeconds, int connectionTtlSeconds, int offlineGraceSeconds, int batchMillis,
                           int sweepSeconds, int lastSeenFlushSeconds, int purgeSeconds) {
    }

    /** Every Redis key of a deployment starts with this: "parley:" plus the schema when one is set. */
    public String redisPrefix() {
        return db.schema().isEmpty() ? "parley:" : "parley:" + db.schema() + ":";
    }

    public static ParleyConfig from(JsonObject json) {
        Reader r = new Reader(json);
        int cores = Runtime.getRuntime().availableProcessors();
        int httpInstances = r.integer("http", "instances", 0, 256);
        return new ParleyConfig(
                new Http(r.string("http", "host"), r.integer("http", "port", 0, 65535),
                        httpInstances == 0 ? cores : httpInstances,
                        r.integer("http", "idleTimeoutSeconds", 1, 86400), r.integer("http", "maxBodyBytes", 1024, 16 << 20),
                        r.bool("http", "nativeTransport"), r.integer("http", "headerTimeoutSeconds", 1, 3600),
                        r.integer("http", "maxConnectionsPerAddress", 0, 1_000_000)),
                new Ws(r.integer("ws", "maxFrameBytes", 256, 16 << 20), r.integer("ws", "maxMessageBytes", 256, 16 << 20),
                        r.integer("ws", "idleTimeoutSeconds", 5, 86400), r.bool("ws", "compression"),
                        r.list("ws", "allowedOrigins"), r.integer("ws", "sendRatePerSecond", 1, 100_000),
                        r.integer("ws", "sendBurst", 1, 100_000), r.integer("ws", "replayPageSize", 10, 1000),
                        r.integer("ws", "maxSubscriptions", 1, 100_000), r.integer("ws", "maxInflightFrames", 1, 10_000),
                        r.integer("ws", "maxChannelsPerFrame", 1, 10_000), r.integer("ws", "maxReplayPerFrame", 1, 1_000_000),
                        r.integer("ws", "maxConcurrentSubscribes", 1, 100)),
                new Db(r.string("db", "url"), r.integer("db", "poolSize", 1, 512), r.integer("db", "pipeliningLimit", 1, 4096),
                        r.string("db", "embeddedDataDir"), r.integer("db", "embeddedPort", 0, 65535), r.string("db", "schema")),
                new Redis(r.string("redis", "url"), r.integer("redis", "timeoutMs", 10, 60_000), r.integer("redis", "poolSize", 1, 256)),
                new Cache(r.bool("cache", "enabled"), r.integer("cache", "channelListTtlSeconds", 1, 86400), r.integer("cache", "pageTtlSeconds", 1, 86400),
                        r.integer("cache", "searchTtlSeconds", 1, 86400),
                        r.integer("cache", "gzipOverBytes", 0, 16 << 20)),
                new Auth(r.string("auth", "tokenSecret"), r.integer("auth", "accessTokenTtlSeconds", 10, 86400),
                        r.integer("auth", "refreshTokenTtlSeconds", 60, 365 * 86400),
                        r.integer("auth", "guestTtlSeconds", 5, 30 * 86400), r.integer("auth", "bcryptCost", 4, 31),
                        r.integer("auth", "bcryptThreads", 1, 64), r.integer("auth", "bcryptMaxWaitMs", 100, 60_000),
                        r.integer("auth", "signinMaxFailures", 1, 1000),
                        r.integer("auth", "signinWindowSeconds", 1, 86400), r.integer("auth", "refreshReuseGraceSeconds", 0, 300),
                        r.integer("auth", "revocationSyncMillis", 100, 60_000), r.integer("auth", "revocationTrustSeconds", 1, 3600)),
                new Cluster(r.bool("cluster", "enabled"), r.string("cluster", "config"), r.string("cluster", "members"),
                        r.string("cluster", "host"), r.integer("cluster", "port", 0, 65535),
                        r.integer("cluster", "busPort", 0, 65535), r.oneOf("cluster", "fanout", "channel", "broadcast")),
                new Persistence(r.integer("persistence", "instances", 1, 64), r.integer("persistence", "slowQueryMs", 1, 600_000)),
                new Presence(r.integer("presence", "heartbeatSeconds", 1, 3600), r.integer("presence", "connectionTtlSeconds", 2, 86400),
                        r.integer("presence", "offlineGraceSeconds", 0, 3600), r.integer("presence", "batchMillis", 10, 60_000),
                        r.integer("presence", "sweepSeconds", 1, 86400), r.integer("presence", "lastSeenFlushSeconds", 1, 86400),
                        r.integer("presence", "purgeSeconds", 1, 86400)),
                new Messages(r.integer("messages", "maxBodyChars", 1, 100_000), r.integer("messages", "pageSize", 1, 50)),
                new Management(r.bool("management", "enabled"), r.string("management", "host"), r.integer("management", "port", 0, 65535)),
                new Limits(r.integer("limits", "bcryptPerAddressPerMinute", 1, 1_000_000),
                        r.integer("limits", "bcryptConcurrentPerAddress", 1, 1000),
                        r.integer("limits", "signinFailuresPerHandle", 1, 1_000_000),
                        r.integer("limits", "signupsPerAddressPerHour", 1, 1_000_000),
                        r.integer("limits", "guestsPerAddressPerHour", 1, 1_000_000),
                        r.integer("limits", "channelsPerUserPerHour", 1, 1_000_000),
                        r.integer("limits", "invitationsPerUserPerHour", 1, 1_000_000),
                        r.integer("limits", "directChannelsPerUserPerHour", 1, 1_000_000),
                        r.integer("limits", "maxMembersPerCreate", 1, 1000),
                        r.integer("limits", "nonMemberBansPerUserPerHour", 1, 1_000_000),
                        r.integer("limits", "searchesPerUserPerMinute", 1, 1_000_000),
                        r.integer("limits", "searchesPerAddressPerMinute", 1, 1_000_000)),
                // a queued search waits at most timeoutMs and then runs for at most timeoutMs per statement:
                // both must end well within the 10 s an edge waits for the services (Local.TIMEOUT_MILLIS)
                new Search(r.integer("search", "scanRows", 100, 100_000), r.integer("search", "candidates", 100, 100_000),
                        r.integer("search", "timeoutMs", 100, 3000), r.integer("search", "poolSize", 1, 64),
                        r.integer("search", "queue", 0, 10_000)),
                new Log(r.oneOf("log", "format", "text", "json"), r.bool("log", "accessLog")),
                json);
    }

    private record Reader(JsonObject json) {

        Object value(String section, String key) {
            JsonObject s = json.getJsonObject(section);
            if (s == null || !s.containsKey(key)) {
                throw new ConfigException("config key " + section + "." + key + " is missing");
            }
            return s.getValue(key);
        }

        String string(String section, String key) {
            Object v = value(section, key);
            if (!(v instanceof String s)) {
                throw bad(section, key, "a string", v);
            }
            return s;
        }

        int integer(String section, String key, int min, int max) {
            Object v = value(section, key);
            if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                throw bad(section, key, "a whole number", v);
            }
            long l = n.longValue();
            if (l < min || l > max) {
                throw bad(section, key, "between " + min + " and " + max, v);
            }
            return (int) l;
        }

        String oneOf(String section, String key, String... allowed) {
            String v = string(section, key);
            if (!List.of(allowed).contains(v)) {
                throw bad(section, key, "one of " + String.join(", ", allowed), v);
            }
            return v;
        }

        boolean bool(String section, String key) {
            Object v = value(section, key);
            if (!(v instanceof Boolean b)) {
                throw bad(section, key, "true or false", v);
            }
            return b;
        }

        List<String> list(String section, String key) {
            Object v = value(section, key);
            if (v instanceof String s) {
                return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
            }
            if (v instanceof JsonArray a) {
                return a.stream().map(String::valueOf).toList();
            }
            throw bad(section, key, "a comma-separated string or a list", v);
        }

        ConfigException bad(String section, String key, String expected, Object got) {
            return new ConfigException("config key " + section + "." + key + " (env "
                    + ConfigLoader.envName(section, key) + ") must be " + expected + ", got " + got);
        }
    }
}
