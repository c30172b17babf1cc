package io.parley.bus;

import io.parley.domain.MemberRole;
import java.time.OffsetDateTime;

import io.parley.domain.ChannelKind;

import java.util.List;

/** What the edges ask of the services, already validated (see {@code edge.Input} and {@code edge.Commands}). */
public final class Commands {

    private Commands() {
    }

    /** A message to post: {@code clientMsgId} makes a retry idempotent. */
    public record Post(long channelId, String clientMsgId, String body) {
    }

    /** A public or private channel to create, with the members added at once. */
    public record NewChannel(ChannelKind kind, String name, String topic, List<Long> memberIds) {
    }

    /** A page of history: {@code before}/{@code after} are exclusive seq cursors (MAX / -1 = none). */
    public record PageQuery(long channelId, long before, long after, int limit) {

        /** An {@code after} cursor alone pages forward (oldest first); otherwise newest first. */
        public boolean forward() {
            return after >= 0 && before == Long.MAX_VALUE;
        }
    }

    /**
     * A full-text search: {@code channelId} null for all the caller's channels; {@code before} a nextCursor;
     * {@code address} the client's, for its search limit (null: none applies).
     */
    public record SearchQuery(String q, Long channelId, String language, String before, int limit, String address) {
    }

    /**
     * A change of one member by an owner, moderator or admin: {@code role} (null: unchanged; OWNER
     * transfers ownership), a mute ({@code muteGiven}: set {@code mutedUntil}, null to unmute), a ban or
     * unban ({@code banned}, null: unchanged), and why (recorded in the moderation log).
     */
    public record MemberChange(MemberRole role, boolean muteGiven, OffsetDateTime mutedUntil, Boolean banned, String reason) {
    }
}
