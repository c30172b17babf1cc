package io.parley.bus;

/**
 * Every event-bus address of Parley. {@code parley.local.*} addresses are registered with
 * {@code localConsumer} and never leave the node; the others are cluster-wide and documented in
 * {@code docs/event-bus.md}.
 */
public final class Addresses {

    /** Cluster-wide request/reply: an internal service posts a message. See docs/event-bus.md. */
    public static final String API_SEND = "parley.api.send";
    /** Cluster-wide request/reply: an internal service joins a public channel or room. See docs/event-bus.md. */
    public static final String API_JOIN = "parley.api.join";
    /** Cluster-wide publish prefix: committed messages, edits and deletes of one channel. */
    public static final String CHANNEL_PREFIX = "parley.channel.";
    /** Cluster-wide publish, in the broadcast fan-out design only: every channel event, for every node's hub. */
    public static final String FANOUT = "parley.fanout";
    /**
     * Cluster-wide publish: a batch of announced presence changes, at most one per node per
     * presence.batchMillis: {@code {"changes":[{userId, online, lastSeenAt, channels:[...]}]}} as a Buffer.
     */
    public static final String PRESENCE_CHANGED = "parley.presence.changed";
    /**
     * Cluster-wide publish, between nodes only: sessions ended (sign-out, password change, refresh-token
     * reuse): {@code {"families":["<uuid>",...]}}. Every node refuses their tokens and closes their sockets.
     */
    public static final String AUTH_REVOKED = "parley.auth.revoked";

    // Node-local: the revocation verticle.
    /** {@link RevocationApi}: record ended sessions and tell every node. */
    public static final String AUTH_REVOKE = "parley.local.auth.revoke";
    /** Publish to the edges: sessions this node just learnt have ended; their sockets close with 4001. */
    public static final String AUTH_ENDED = "parley.local.auth.ended";

    // Node-local typed APIs (see Local): one address per interface, served by the services verticle.
    /** {@link AuthApi}: accounts and sessions. */
    public static final String AUTH = "parley.local.auth";
    /** {@link ChatApi}: the chat rules. */
    public static final String CHAT = "parley.local.chat";
    /** {@link ReadsApi}: the cached reads (channel list, history pages, search). */
    public static final String READS = "parley.local.reads";
    /** {@link LoungesApi}, node-local. */
    public static final String LOUNGES = "parley.local.lounges";
    /**
     * Published by the node where an admin changed a lounge or room (body: the lounge's slug); every node
     * drops its cached lounge list.
     */
    public static final String LOUNGES_CHANGED = "parley.lounges.changed";
    /**
     * Cluster-wide publish, empty: an admin watches /admin/perf on some node; every node then publishes its
     * {@link #PERF_SUMMARY} each second for the next 10 s (nothing at all while nobody watches).
     */
    public static final String PERF_WANTED = "parley.ops.perf.wanted";
    /** Cluster-wide publish: one node's figures for the others' /admin/perf ({@code nodes}). */
    public static final String PERF_SUMMARY = "parley.ops.perf.summary";
    /** {@link OpsApi}: presence records, job leases, retention, health, slow queries. */
    public static final String OPS = "parley.local.ops";
    /** {@link PresenceApi}, served by the presence verticle: GET /presence. */
    public static final String PRESENCE_QUERY = "parley.local.presence.query";
    /** Node-local publish from the hub to the edges: a batch of presence changes. */
    public static final String PRESENCE_DELIVER = "parley.local.presence.deliver";
    /**
     * Cluster-wide publish: a message mentioned members, {@code {"type":"mention","channelId","seq","senderId",
     * "userIds":[...]}} as a Buffer; every node hands it to its edges, which tell the mentioned users' sockets.
     */
    public static final String MENTIONS = "parley.mentions";
    /** Node-local: a mention batch handed from the node's hub to its edges. */
    public static final String MENTIONS_DELIVER = "parley.local.mentions.deliver";

    // Node-local: the socket verticle's hub and the edge instances.
    public static final String HUB_INTEREST = "parley.local.hub.interest";
    public static final String HUB_DELIVER_PREFIX = "parley.local.hub.deliver.";
    /** Node-local publish: the cluster lost or merged a member (from Hazelcast's listeners). */
    public static final String CLUSTER_CHANGED = "parley.local.cluster.changed";
    public static final String SOCKET_CONNECTED = "parley.local.socket.connected";
    public static final String SOCKET_DISCONNECTED = "parley.local.socket.disconnected";

    private Addresses() {
    }

    public static String channel(long channelId) {
        return CHANNEL_PREFIX + channelId;
    }
}
