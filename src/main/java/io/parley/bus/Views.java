package io.parley.bus;

import io.parley.domain.Channel;
import io.parley.domain.ChannelSummary;
import io.parley.domain.DirectChannel;
import io.parley.domain.Joined;
import io.parley.domain.Lounge;
import io.parley.domain.Membership;
import io.parley.domain.Message;
import io.parley.domain.ModerationAction;
import io.parley.domain.PresenceStatus;
import io.parley.domain.ReadPosition;
import io.parley.domain.Tokens;
import io.parley.domain.User;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** The public JSON shapes (docs/openapi.yaml, docs/protocol.md, docs/event-bus.md), made in one place for HTTP, WebSocket and the event bus. */
public final class Views {

    private Views() {
    }

    public static String time(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }

    public static JsonObject user(User u) {
        return new JsonObject().put("id", u.id()).put("handle", u.handle()).put("displayName", u.displayName()).put("kind", u.kind().wire());
    }

    public static JsonObject me(User u) {
        return user(u).put("role", u.role().wire()).put("phoneNumber", u.phoneNumber());
    }

    public static JsonObject tokens(Tokens t) {
        return new JsonObject().put("user", user(t.user())).put("accessToken", t.accessToken()).put("tokenType", "Bearer")
                .put("expiresIn", t.accessExpiresInSeconds()).put("refreshToken", t.refreshToken());
    }

    public static JsonObject channel(Channel c) {
        JsonObject j = new JsonObject().put("id", c.id()).put("kind", c.kind().wire()).put("name", c.name()).put("topic", c.topic())
                .put("lastSeq", c.lastSeq()).put("lastMessageAt", time(c.lastMessageAt())).put("createdAt", time(c.createdAt()));
        if (c.loungeId() != null) {
            j.put("loungeId", c.loungeId()).put("language", c.language());
        }
        // a banned user's row is no membership: no role, no read marker, no unread count (only that they are banned)
        if (c.membership() != null && c.membership().inGoodStanding()) {
            j.put("role", c.membership().role().wire()).put("lastReadSeq", c.membership().lastReadSeq()).put("unread", c.membership().unread())
                    .put("mentions", c.membership().mentions());
        }
        j.put("member", c.membership() != null && c.membership().inGoodStanding());
        if (c.membership() != null && c.membership().banned()) {
            j.put("banned", true);
        }
        j.put("retentionDays", c.retentionDays());
        j.put("premoderation", c.premoderation());
        return j;
    }

    /** A lounge with its rooms; {@code counts} per room id, or null to leave the counts out. */
    public static JsonObject lounge(Lounge l, Map<Long, Lounge.Counts> counts) {
        JsonArray rooms = new JsonArray();
        l.rooms().forEach(r -> rooms.add(room(r, counts == null ? null : counts.getOrDefault(r.id(), Lounge.Counts.NONE))));
        return new JsonObject().put("id", l.id()).put("slug", l.slug()).put("name", l.name()).put("active", l.active())
                .put("createdAt", time(l.createdAt())).put("retentionDays", l.retentionDays())
                .put("moderators", new JsonArray(l.moderators())).put("rooms", rooms);
    }

    /** A room; {@code counts} null leaves out members and online. */
    public static JsonObject room(Lounge.Room r, Lounge.Counts counts) {
        JsonObject j = new JsonObject().put("id", r.id()).put("loungeId", r.loungeId()).put("language", r.language())
                .put("name", r.name()).put("topic", r.topic()).put("active", r.active());
        if (counts != null) {
            j.put("members", counts.members()).put("online", counts.online());
        }
        return j;
    }

    /** A member as moderation leaves them. */
    public static JsonObject member(long channelId, long userId, Membership m) {
        return new JsonObject().put("channelId", channelId).put("userId", userId).put("role", m.role().wire())
                .put("mutedUntil", time(m.mutedUntil())).put("banned", m.banned()).put("member", m.inGoodStanding());
    }

    public static JsonObject moderationLog(List<ModerationAction> actions, int limit) {
        JsonArray out = new JsonArray();
        actions.forEach(a -> out.add(new JsonObject().put("id", a.id()).put("action", a.action()).put("actorId", a.actorId())
                .put("targetId", a.targetId()).put("reason", a.reason()).put("mutedUntil", time(a.mutedUntil())).put("at", time(a.at()))
                .put("seq", a.seq())));
        return new JsonObject().put("actions", out)
                .put("nextBefore", actions.size() < limit ? null : actions.get(actions.size() - 1).id());
    }

    public static JsonObject direct(DirectChannel d) {
        return channel(d.channel()).put("peer", user(d.peer()));
    }

    public static JsonObject joined(Joined j) {
        return new JsonObject().put("channelId", j.channelId()).put("userId", j.userId()).put("added", j.added());
    }

    public static JsonObject read(ReadPosition r) {
        return new JsonObject().put("channelId", r.channelId()).put("lastReadSeq", r.lastReadSeq());
    }

    public static JsonObject presence(List<PresenceStatus> list) {
        JsonArray out = new JsonArray();
        for (PresenceStatus s : list) {
            out.add(new JsonObject().put("userId", s.userId()).put("online", s.online())
                    .put("lastSeenAt", s.lastSeenAt() == null ? null : s.lastSeenAt().toString()));
        }
        return new JsonObject().put("presence", out);
    }

    public static JsonObject summary(ChannelSummary s) {
        JsonObject j = channel(s.channel());
        if (s.peer() != null) {
            j.put("peer", user(s.peer()));
            j.put("name", s.peer().displayName());
        }
        if (s.lastMessage() != null) {
            j.put("lastMessage", message(s.lastMessage()));
        }
        return j;
    }

    /** A message; a deleted one keeps its place (seq) but not its body. */
    public static JsonObject message(Message m) {
        JsonObject j = new JsonObject().put("channelId", m.channelId()).put("seq", m.seq()).put("senderId", m.senderId())
                .put("body", m.deleted() ? "" : m.body()).put("createdAt", time(m.createdAt())).put("clientMsgId", m.clientMsgId());
        if (m.editedAt() != null) {
            j.put("editedAt", time(m.editedAt()));
        }
        if (m.deleted()) {
            j.put("deleted", true);
        }
        if (m.held()) {
            j.put("status", m.status());
        }
        return j;
    }

    /**
     * A held message for someone who may not see it: only its place. In a page of history it is an item
     * {@code {"channelId","seq","held":true,"status"}}; on a socket a {@code held} frame.
     */
    public static JsonObject heldMessage(Message m) {
        return new JsonObject().put("channelId", m.channelId()).put("seq", m.seq()).put("held", true).put("status", m.status());
    }

    /** The {@code held} WebSocket frame: seq {@code seq} is taken by a message you may not see (yet). */
    public static JsonObject heldEvent(long channelId, long seq, String status) {
        return new JsonObject().put("type", "held").put("channelId", channelId).put("seq", seq).put("status", status);
    }

    /** The message as {@code viewerId} may see it (see {@link Message#visibleTo}). */
    public static JsonObject message(Message m, long viewerId, boolean moderates) {
        return m.visibleTo(viewerId, moderates) ? message(m) : heldMessage(m);
    }

    /** A held message was approved: every subscriber gets it whole, at its own seq. */
    public static JsonObject approvedEvent(Message m) {
        return message(m).put("type", "approved");
    }

    /** A held message was rejected: it stays hidden; its author is told. */
    public static JsonObject rejectedEvent(Message m) {
        return new JsonObject().put("type", "rejected").put("channelId", m.channelId()).put("seq", m.seq()).put("senderId", m.senderId());
    }

    /** The WebSocket frame (and parley.channel.&lt;id&gt; event) of a new message. */
    public static JsonObject messageEvent(Message m) {
        return message(m).put("type", "message");
    }

    public static JsonObject editedEvent(Message m) {
        return new JsonObject().put("type", "edited").put("channelId", m.channelId()).put("seq", m.seq()).put("body", m.body())
                .put("editedAt", time(m.editedAt()));
    }

    public static JsonObject deletedEvent(Message m) {
        return new JsonObject().put("type", "deleted").put("channelId", m.channelId()).put("seq", m.seq())
                .put("deletedAt", time(m.deletedAt()));
    }
}
