package io.parley;

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
    /** Request/reply: record ended sessions and tell every node, {@code {"families":[...]}} → {@code {}}. */
    public static final String AUTH_REVOKE = "parley.local.auth.revoke";
    /** Publish to the edges: sessions this node just learnt have ended; their sockets close with 4001. */
    public static final String AUTH_ENDED = "parley.local.auth.ended";

    // Node-local request/reply into the persistence verticle.
    /** Whether a session family is still signed in, from the database: {@code {"fid"}} → {@code {"active": bool}}. */
    public static final String AUTH_SESSION_ACTIVE = "parley.local.auth.session.active";
    public static final String AUTH_SIGNUP = "parley.local.auth.signup";
    public static final String AUTH_SIGNIN = "parley.local.auth.signin";
    public static final String AUTH_REFRESH = "parley.local.auth.refresh";
    public static final String AUTH_SIGNOUT = "parley.local.auth.signout";
    public static final String AUTH_GUEST = "parley.local.auth.guest";
    public static final String AUTH_PASSWORD = "parley.local.auth.password";
    public static final String USER_GET = "parley.local.user.get";
    public static final String CHANNEL_LIST = "parley.local.channel.list";
    public static final String CHANNEL_CREATE = "parley.local.channel.create";
    public static final String CHANNEL_GET = "parley.local.channel.get";
    public static final String CHANNEL_ADD_MEMBER = "parley.local.channel.member.add";
    public static final String CHANNEL_REMOVE_MEMBER = "parley.local.channel.member.remove";
    public static final String CHANNEL_DIRECT = "parley.local.channel.direct";
    /** The access check of a whole subscribe frame: {@code {as, channelIds:[...]}} → allowed and failed. */
    public static final String CHANNEL_ACCESS_MANY = "parley.local.channel.access.many";
    /** The newest seq of channels already authorized: {@code {channelIds:[...]}} → {@code {"<id>": lastSeq}}. */
    public static final String CHANNEL_POSITIONS = "parley.local.channel.positions";
    public static final String MESSAGE_PAGE = "parley.local.message.page";
    public static final String MESSAGE_REPLAY = "parley.local.message.replay";
    public static final String MESSAGE_SEND = "parley.local.message.send";
    public static final String MESSAGE_EDIT = "parley.local.message.edit";
    public static final String MESSAGE_DELETE = "parley.local.message.delete";
    public static final String MESSAGE_READ = "parley.local.message.read";
    public static final String MESSAGE_SEARCH = "parley.local.message.search";
    public static final String PRESENCE_CHANNELS = "parley.local.presence.channels";
    public static final String PRESENCE_UPDATE = "parley.local.presence.update";
    public static final String PRESENCE_LAST_SEEN = "parley.local.presence.lastseen";
    public static final String PRESENCE_ONLINE_USERS = "parley.local.presence.online";
    public static final String PRESENCE_FALLBACK = "parley.local.presence.fallback";
    /** Of some users, those who share a channel with the caller: whose presence the caller may see. */
    public static final String PRESENCE_VISIBLE = "parley.local.presence.visible";
    /** Node-local request/reply into the presence verticle: GET /presence. */
    public static final String PRESENCE_QUERY = "parley.local.presence.query";
    /** Node-local publish from the hub to the edges: a batch of presence changes. */
    public static final String PRESENCE_DELIVER = "parley.local.presence.deliver";
    public static final String JOB_CLAIM = "parley.local.job.claim";
    public static final String JOB_DONE = "parley.local.job.done";
    public static final String PURGE = "parley.local.job.purge";
    public static final String HEALTH = "parley.local.health";
    /** The persistence verticle's slow-query list, for /admin/perf. */
    public static final String PERF_SLOW = "parley.local.perf.slow";

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
