package io.parley.persistence;

import io.parley.domain.Channel;
import io.parley.domain.Membership;
import io.parley.domain.Message;
import io.parley.domain.User;
import io.parley.domain.ChannelKind;
import io.parley.domain.MemberRole;
import io.parley.domain.UserKind;
import io.parley.domain.UserRole;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

/** Maps rows to domain records; column names follow {@link SqlQueries}. */
final class Rows {

    private Rows() {
    }

    static User user(Row r) {
        return new User(r.getLong("id"), r.getString("handle"), r.getString("display_name"),
                UserKind.of(r.getString("kind")), UserRole.of(r.getString("role")), r.getString("phone_number"), r.getString("password_hash"),
                endsAt(r.getOffsetDateTime("expires_at")));
    }

    /** A guest's end in whole epoch seconds, rounded up: a token or socket never ends before the account does. */
    private static long endsAt(OffsetDateTime at) {
        return at == null ? 0 : at.toEpochSecond() + (at.getNano() > 0 ? 1 : 0);
    }

    static Message message(Row r) {
        return new Message(r.getLong("channel_id"), r.getLong("seq"), r.getLong("sender_id"), r.getString("client_msg_id"),
                r.getString("body"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("edited_at"),
                r.getOffsetDateTime("deleted_at"), r.getString("moderation_status"));
    }

    static Channel channel(Row r) {
        String role = r.getString("role");
        Membership membership = role == null ? null
                : new Membership(MemberRole.of(role), r.getLong("last_read_seq"), r.getOffsetDateTime("muted_until"), r.getBoolean("banned"),
                r.getLong("unread") == null ? 0 : r.getLong("unread"), r.getLong("mentions") == null ? 0 : r.getLong("mentions"),
                r.getBoolean("joined"));
        return new Channel(r.getLong("id"), ChannelKind.of(r.getString("kind")), r.getString("name"), r.getString("topic"),
                r.getLong("lounge_id"), r.getString("language"), r.getLong("last_seq"), r.getOffsetDateTime("last_message_at"),
                r.getOffsetDateTime("created_at"), r.getBoolean("is_active"), membership, r.getInteger("retention_days"),
                r.getString("premoderation"));
    }

    /** The last-message columns of the channel list, prefixed {@code lm_}; null when the channel is empty. */
    static Message lastMessage(Row r, long channelId) {
        Long seq = r.getLong("lm_seq");
        if (seq == null) {
            return null;
        }
        return new Message(channelId, seq, r.getLong("lm_sender_id"), r.getString("lm_client_msg_id"), r.getString("lm_body"),
                r.getOffsetDateTime("lm_created_at"), r.getOffsetDateTime("lm_edited_at"), r.getOffsetDateTime("lm_deleted_at"),
                r.getString("lm_status"));
    }

    static User peer(Row r) {
        Long id = r.getLong("p_id");
        return id == null ? null
                : new User(id, r.getString("p_handle"), r.getString("p_display_name"), UserKind.of(r.getString("p_kind")), UserRole.USER, null, null, 0);
    }
}
