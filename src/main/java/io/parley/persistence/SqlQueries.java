package io.parley.persistence;

/** Every SQL statement of Parley, with {@code $n} placeholders and explicit column lists. */
final class SqlQueries {

    static final String USER_COLUMNS = "id, handle, display_name, kind, role, phone_number, password_hash, expires_at";

    /**
     * A new user. A phone number someone already has is not attached (and nothing tells the caller, so
     * sign-up is no oracle of registered numbers). $7, when not null, is the display name read as a
     * handle: no row is inserted when another user has that handle or one that looks like it (the
     * handle_skeleton column and function come from migration V4).
     */
    static final String USER_INSERT = "INSERT INTO users (handle, display_name, phone_number, password_hash, kind, expires_at)"
            + " SELECT $1, $2, CASE WHEN EXISTS (SELECT 1 FROM users t WHERE t.phone_number = $3) THEN NULL ELSE $3 END,"
            + " $4, $5, CASE WHEN $6::int IS NULL THEN NULL ELSE now() + make_interval(secs => $6::int) END"
            + " WHERE $7::text IS NULL OR NOT EXISTS (SELECT 1 FROM users o"
            + "   WHERE o.handle_skeleton = handle_skeleton($7) OR lower(o.handle) = lower($7))"
            + " RETURNING " + USER_COLUMNS;
    static final String USER_BY_ID = "SELECT " + USER_COLUMNS + " FROM users"
            + " WHERE id = $1 AND (expires_at IS NULL OR expires_at > now())";
    /**
     * Users by id ($1, at most 100) whose names caller $2 may see: themself, and the members in good
     * standing of an active channel the caller is in, or of a room (rooms are read without joining, and
     * nobody is put into a room by someone else). A banned user, or one banned without ever joining, shares
     * nothing. So ids cannot be walked to list every user. From users' and members' indexes.
     */
    static final String USER_BY_IDS = "SELECT " + USER_COLUMNS + " FROM users u"
            + " WHERE u.id = ANY($1) AND (u.expires_at IS NULL OR u.expires_at > now())"
            + " AND (u.id = $2 OR EXISTS (SELECT 1 FROM channel_members o JOIN channels c ON c.id = o.channel_id AND c.is_active"
            + "   WHERE o.user_id = u.id AND NOT o.banned AND (c.kind = 'room' OR EXISTS (SELECT 1 FROM channel_members me"
            + "     WHERE me.channel_id = c.id AND me.user_id = $2 AND NOT me.banned))))"
            + " ORDER BY u.id";
    static final String USER_BY_HANDLE = "SELECT " + USER_COLUMNS + " FROM users"
            + " WHERE lower(handle) = lower($1) AND (expires_at IS NULL OR expires_at > now())";
    static final String USER_BY_PHONE = "SELECT " + USER_COLUMNS + " FROM users"
            + " WHERE phone_number = $1 AND (expires_at IS NULL OR expires_at > now())";
    /** The kinds of the named users that exist: one statement whatever the number of ids. */
    static final String USER_KINDS = "SELECT id, kind FROM users WHERE id = ANY($1) AND (expires_at IS NULL OR expires_at > now())";
    static final String USER_SET_PASSWORD = "UPDATE users SET password_hash = $2 WHERE id = $1";

    static final String SESSION_INSERT = "INSERT INTO sessions (user_id, refresh_hash, family_id, expires_at)"
            + " VALUES ($1, $2, $3, now() + make_interval(secs => $4::int)) RETURNING id";
    /** Locks the row so that, of two concurrent refreshes with one token, exactly one rotates it. */
    static final String SESSION_BY_HASH_FOR_UPDATE = "SELECT id, user_id, family_id, expires_at <= now() AS expired,"
            + " revoked_at IS NOT NULL AS revoked, replaced_at, now() - replaced_at <= make_interval(secs => $2::int) AS in_grace"
            + " FROM sessions WHERE refresh_hash = $1 FOR UPDATE";
    static final String SESSION_ROTATE = "UPDATE sessions SET revoked_at = now(), replaced_at = now() WHERE id = $1";
    static final String SESSION_REVOKE_FAMILY = "UPDATE sessions SET revoked_at = now()"
            + " WHERE family_id = $1 AND revoked_at IS NULL";
    static final String SESSION_REVOKE_OWN_FAMILY = "UPDATE sessions SET revoked_at = now()"
            + " WHERE family_id = $1 AND user_id = $2 AND revoked_at IS NULL";
    /** Answers the families it ended (one row per session row: callers drop the repeats). */
    static final String SESSION_REVOKE_OTHERS = "UPDATE sessions SET revoked_at = now()"
            + " WHERE user_id = $1 AND family_id <> $2 AND revoked_at IS NULL RETURNING family_id";
    /** A family is live while its newest refresh token is neither rotated, revoked nor expired. */
    static final String SESSION_FAMILY_ACTIVE = "SELECT 1 FROM sessions WHERE family_id = $1 AND revoked_at IS NULL"
            + " AND expires_at > now() LIMIT 1";

    static final String CHANNEL_COLUMNS = "c.id, c.kind, c.name, c.topic, c.lounge_id, c.language, c.last_seq,"
            + " c.last_message_at, c.created_at, c.is_active, c.retention_days, c.premoderation";
    static final String MEMBER_COLUMNS = "m.role, m.last_read_seq, m.muted_until, m.banned, m.joined";
    /**
     * Unread = others' messages after my read marker that are not deleted, counted up to 1,000 (an index
     * range scan on the primary key; clients show "999+").
     */
    static final String UNREAD = "(SELECT count(*) FROM (SELECT 1 FROM messages um WHERE um.channel_id = c.id"
            + " AND um.seq > m.last_read_seq AND um.deleted_at IS NULL AND um.sender_id <> m.user_id"
            + " AND um.moderation_status = 'approved' LIMIT 1000) u) AS unread,"
            // mentions of the member after their read marker: a range of the mentions' primary key
            + " (SELECT count(*) FROM (SELECT 1 FROM mentions mn WHERE mn.user_id = m.user_id AND mn.channel_id = c.id"
            + " AND mn.seq > m.last_read_seq LIMIT 1000) x) AS mentions";

    static final String CHANNEL_INSERT = "INSERT INTO channels (kind, name, topic, created_by) VALUES ($1, $2, $3, $4)"
            + " RETURNING id";
    static final String CHANNEL_INSERT_DIRECT = "INSERT INTO channels (kind, name, direct_key, created_by)"
            + " VALUES ('direct', $1, $2, $3) ON CONFLICT (direct_key) DO NOTHING RETURNING id";
    static final String CHANNEL_BY_DIRECT_KEY = "SELECT id FROM channels WHERE direct_key = $1";
    /**
     * The access check of a WebSocket subscribe frame: many channels with the caller's membership in one
     * query (no unread count, which a subscribe does not need).
     */
    static final String CHANNEL_ACCESS_MANY = "SELECT c.id, c.kind, c.is_active, c.last_seq, c.last_decision_seq, m.role, m.banned,"
            // a moderator of a room's lounge sees its held messages (a primary-key probe, only for rooms)
            + " c.lounge_id IS NOT NULL AND EXISTS (SELECT 1 FROM lounge_moderators lm WHERE lm.lounge_id = c.lounge_id"
            + "   AND lm.user_id = $2) AS lounge_moderator"
            + " FROM channels c LEFT JOIN channel_members m ON m.channel_id = c.id AND m.user_id = $2"
            + " WHERE c.id = ANY($1)";
    /** The newest seq of many channels, read after a subscribe's live route exists (see SocketSession). */
    static final String CHANNEL_POSITIONS = "SELECT id, last_seq FROM channels WHERE id = ANY($1)";
    /** One channel with the caller's membership, if any: the access check of every channel operation. */
    static final String CHANNEL_FOR_USER = "SELECT " + CHANNEL_COLUMNS + ", " + MEMBER_COLUMNS + ", " + UNREAD
            + " FROM channels c LEFT JOIN channel_members m ON m.channel_id = c.id AND m.user_id = $2"
            + " WHERE c.id = $1";
    static final String CHANNEL_LIST = "SELECT " + CHANNEL_COLUMNS + ", " + MEMBER_COLUMNS + ", " + UNREAD + ","
            + " lm.seq AS lm_seq, lm.sender_id AS lm_sender_id, lm.client_msg_id AS lm_client_msg_id, lm.body AS lm_body,"
            + " lm.created_at AS lm_created_at, lm.edited_at AS lm_edited_at, lm.deleted_at AS lm_deleted_at,"
            + " lm.moderation_status AS lm_status,"
            + " p.id AS p_id, p.handle AS p_handle, p.display_name AS p_display_name, p.kind AS p_kind"
            + " FROM channel_members m"
            + " JOIN channels c ON c.id = m.channel_id"
            + " LEFT JOIN messages lm ON lm.channel_id = c.id AND lm.seq = c.last_seq"
            // the peer comes from the channel's 'lo:hi' key, not from its members: one who left a direct
            // channel is still who it is with, and leaving does not show in the other's list
            + " LEFT JOIN LATERAL (SELECT u.id, u.handle, u.display_name, u.kind FROM users u WHERE c.kind = 'direct'"
            + "   AND u.id = CASE WHEN split_part(c.direct_key, ':', 1)::bigint = $1 THEN split_part(c.direct_key, ':', 2)::bigint"
            + "   ELSE split_part(c.direct_key, ':', 1)::bigint END) p ON true"
            + " WHERE m.user_id = $1 AND NOT m.banned AND c.is_active"
            + " ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC";
    /** New members start with everything already sent marked read. */
    static final String MEMBER_INSERT = "INSERT INTO channel_members (channel_id, user_id, role, last_read_seq)"
            + " SELECT $1, $2, $3, last_seq FROM channels WHERE id = $1"
            + " ON CONFLICT (channel_id, user_id) DO NOTHING";
    /** Removes a member; a banned one keeps the ban (MEMBER_REMOVE_BANNED), so a removal cannot lift it. */
    static final String MEMBER_DELETE = "DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2 AND NOT banned RETURNING role";

    /**
     * The CTE {@code men} of a statement that writes message {@code msg.seq} of channel $1: the members in
     * good standing named by the handles {@code handles} (a text[] parameter), but the sender, found by
     * handle or by its look-alike skeleton (from the users' indexes), when {@code when} holds.
     */
    /** {@code columns} ("a, b") with each qualified by {@code alias} ("m.a, m.b"). */
    private static String prefixed(String alias, String columns) {
        return java.util.Arrays.stream(columns.split(",")).map(c -> alias + "." + c.strip())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static String mentionsInsert(String msg, String sender, String handles, String when) {
        return " men AS (INSERT INTO mentions (user_id, channel_id, seq)"
                + "   SELECT u.id, $1, " + msg + ".seq FROM " + msg + ", users u"
                + "   JOIN channel_members mm ON mm.channel_id = $1 AND mm.user_id = u.id AND NOT mm.banned"
                + "   WHERE " + when + " AND cardinality(" + handles + "::text[]) > 0 AND u.id <> " + sender
                + "   AND (u.handle = ANY(" + handles + "::text[])"
                + "   OR u.handle_skeleton = ANY(ARRAY(SELECT handle_skeleton(h) FROM unnest(" + handles + "::text[]) h)))"
                + "   ON CONFLICT DO NOTHING RETURNING user_id)";
    }

    static final String MESSAGE_COLUMNS = "channel_id, seq, sender_id, client_msg_id, body, created_at, edited_at, deleted_at,"
            + " moderation_status";
    /**
     * The send path in one autocommit statement: the membership check, the gap-free seq (the channel row
     * lock serializes concurrent sends), the insert, and the sender's read marker. A duplicate clientMsgId
     * fails the whole statement with 23505, which also undoes the seq increment, so seqs stay gap-free.
     */
    static final String MESSAGE_SEND = "WITH ch AS ("
            + " UPDATE channels SET last_seq = last_seq + 1, last_message_at = now()"
            + " WHERE id = $1 AND is_active AND EXISTS (SELECT 1 FROM channel_members cm"
            + "   WHERE cm.channel_id = $1 AND cm.user_id = $2 AND NOT cm.banned"
            + "   AND (cm.muted_until IS NULL OR cm.muted_until <= now()))"
            + " RETURNING last_seq, language, premoderation, lounge_id),"
            // pre-moderation (V11): held from guests ($6) or from everyone, but never from the channel's owner
            // and moderators, its lounge's moderators or an admin ($7)
            + " st AS (SELECT CASE WHEN ch.premoderation = 'off' OR $7 OR (ch.premoderation = 'guests' AND NOT $6) THEN 'approved'"
            + "   WHEN EXISTS (SELECT 1 FROM channel_members om WHERE om.channel_id = $1 AND om.user_id = $2"
            + "     AND om.role IN ('owner', 'moderator'))"
            + "   OR EXISTS (SELECT 1 FROM lounge_moderators lmo WHERE lmo.lounge_id = ch.lounge_id AND lmo.user_id = $2)"
            + "   THEN 'approved' ELSE 'pending' END AS status FROM ch),"
            // the message is searched in its channel's language (V7__language_search.sql)
            + " ins AS (INSERT INTO messages (channel_id, seq, sender_id, client_msg_id, body, search_config, moderation_status)"
            + "   SELECT $1, ch.last_seq, $2, $3, $4, search_config(ch.language), st.status FROM ch, st RETURNING " + MESSAGE_COLUMNS + "),"
            + " rd AS (UPDATE channel_members SET last_read_seq = ins.seq FROM ins"
            + "   WHERE channel_members.channel_id = $1 AND channel_members.user_id = $2),"
            // $5: the handles the body mentions (@handle); the members in good standing among them, but the
            // sender, are mentioned (found by handle or by its look-alike skeleton, from the users' indexes)
            // (a held message mentions nobody until it is approved)
            + mentionsInsert("ins", "$2", "$5", "ins.moderation_status = 'approved'")
            + " SELECT " + MESSAGE_COLUMNS + ", (SELECT array_agg(user_id) FROM men) AS mentioned FROM ins";
    static final String MESSAGE_BY_CLIENT_ID = "SELECT " + MESSAGE_COLUMNS + " FROM messages"
            + " WHERE channel_id = $1 AND sender_id = $2 AND client_msg_id = $3";
    static final String MESSAGE_BY_SEQ = "SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE channel_id = $1 AND seq = $2";
    /** Whether user $2 ever posted in channel $1 (a moderator may then ban them though they left): the sender index. */
    static final String MESSAGE_POSTED = "SELECT 1 FROM messages WHERE sender_id = $2 AND channel_id = $1 LIMIT 1";
    /** A page newest first, only for members ($5): an empty page is then told apart by the access check. */
    /**
     * The caller ($5) may read channel $1: a member in good standing, or, for a room, anyone not banned
     * from it (rooms are read without joining). Two primary-key lookups.
     */
    static final String READABLE = " AND EXISTS (SELECT 1 FROM channels rc LEFT JOIN channel_members cm"
            + " ON cm.channel_id = rc.id AND cm.user_id = $5 WHERE rc.id = $1"
            + " AND (cm.user_id IS NOT NULL OR rc.kind = 'room') AND cm.banned IS NOT TRUE)";
    static final String MESSAGE_PAGE_DESC = "SELECT " + MESSAGE_COLUMNS + " FROM messages"
            + " WHERE channel_id = $1 AND seq < $2 AND seq > $3"
            + READABLE
            + " ORDER BY seq DESC LIMIT $4";
    /** A page oldest first (used for {@code after=} cursors and for replay). */
    static final String MESSAGE_PAGE_ASC = "SELECT " + MESSAGE_COLUMNS + " FROM messages"
            + " WHERE channel_id = $1 AND seq > $3 AND seq < $2"
            + READABLE
            + " ORDER BY seq ASC LIMIT $4";
    /** A held message is not edited: an edit is announced to everyone, with its body. */
    static final String MESSAGE_EDIT = "UPDATE messages SET body = $3, edited_at = now()"
            + " WHERE channel_id = $1 AND seq = $2 AND deleted_at IS NULL AND moderation_status = 'approved' RETURNING " + MESSAGE_COLUMNS;
    static final String MESSAGE_DELETE = "UPDATE messages SET deleted_at = now()"
            + " WHERE channel_id = $1 AND seq = $2 AND deleted_at IS NULL RETURNING " + MESSAGE_COLUMNS;
    /*
     * Full-text search (docs/decisions.md, "Search reads a bounded number of rows"). Every statement takes
     * $1 the reader, $2 the words and $3 a language tag or null; what follows depends on the shape:
     * across channels, $4 $5 $6 the cursor (created_at, channel_id, seq), $7 the rows to answer and $8 the
     * read bound; in one channel, $4 the channel, $5 the cursor's seq, $6 the rows and $7 the bound. A
     * search across channels answers newest first (created_at, channel, seq); a search of one channel in
     * the channel's own order (seq), which its primary key reads.
     */

    /**
     * The words $2 matched in each message's own text-search configuration: one branch per configuration
     * in {@code configs}, each with its own tsquery, all on messages_search_idx. Each tsquery is a
     * subquery, so it is parsed once per statement, not once per message read.
     */
    static String searchMatch(java.util.Collection<String> configs) {
        return "(" + String.join(" OR ", configs.stream().map(cfg -> "(m.search_config = '" + checked(cfg)
                + "'::regconfig AND m.search_vector @@ (SELECT plainto_tsquery('" + cfg + "', $2)))").toList()) + ")";
    }

    /**
     * What the index alone can answer of {@link #searchMatch}: the tsqueries, without each message's own
     * configuration (a heap filter, under which the index could hand over any number of rows to drop).
     */
    static String searchLexemes(java.util.Collection<String> configs) {
        return "(" + String.join(" OR ", configs.stream().map(cfg -> "m.search_vector @@ (SELECT plainto_tsquery('" + checked(cfg)
                + "', $2))").toList()) + ")";
    }

    /** A configuration name goes into the SQL text (one statement per set in use): only built-in ones pass. */
    private static String checked(String cfg) {
        if (!cfg.matches("pg_catalog\\.[a-z]+")) {
            throw new IllegalArgumentException("not a text-search configuration: " + cfg);
        }
        return cfg;
    }

    /** The words $2 in the configuration of language $3 only (a search with language=). */
    static final String SEARCH_MATCH_LANGUAGE = "(m.search_config = (SELECT search_config($3))"
            + " AND m.search_vector @@ (SELECT plainto_tsquery(search_config($3), $2)))";
    static final String SEARCH_LEXEMES_LANGUAGE = "m.search_vector @@ (SELECT plainto_tsquery(search_config($3), $2))";

    /** A channel reader $1 may read: active, and they are a member in good standing, or it is a room they are not banned from. */
    private static final String SEARCH_VISIBLE = "c.is_active AND (cm.user_id IS NOT NULL OR c.kind = 'room') AND cm.banned IS NOT TRUE";
    /** A message a search may show: live, approved, of language $3 when one is given. */
    private static final String SEARCH_SHOWN = "m.deleted_at IS NULL AND m.moderation_status = 'approved'"
            + " AND ($3::text IS NULL OR c.language = $3)";
    private static final String SEARCH_JOINS = " JOIN channels c ON c.id = m.channel_id"
            + " LEFT JOIN channel_members cm ON cm.channel_id = m.channel_id AND cm.user_id = $1";

    private static String searchOrder(String alias, boolean oneChannel) {
        return oneChannel ? alias + ".seq DESC" : alias + ".created_at DESC, " + alias + ".channel_id DESC, " + alias + ".seq DESC";
    }

    /**
     * The newest messages before the cursor, at most the read bound of them, read in answer order (the
     * time index, or the primary key in one channel) and each checked against {@code match}. Answers the
     * hits (with body and channel name) and, whatever it is, the last message read ({@code last_read}),
     * at most the rows asked. On each row, {@code last_visible} is the place (microseconds, channel, seq)
     * of the last message read so far in a channel the reader may read: where a next search goes on,
     * without a cursor that names a message the reader may not know of. The bound applies before any
     * filter, so this statement reads at most that many messages whatever the data.
     */
    static String searchScan(String match, boolean oneChannel) {
        String bound = oneChannel ? "$7" : "$8";
        String read = oneChannel ? "m.channel_id = $4 AND m.seq < $5" : "(m.created_at, m.channel_id, m.seq) < ($4, $5, $6)";
        return "/* search.scan" + (oneChannel ? ".channel" : "") + " */ SELECT s.channel_id, s.seq, s.sender_id, s.client_msg_id, s.body,"
                + " s.created_at, s.edited_at, s.deleted_at, s.moderation_status, s.channel_name, s.hit, s.n = " + bound + " AS last_read,"
                + " s.last_visible FROM (SELECT m.channel_id, m.seq, m.sender_id, m.client_msg_id, CASE WHEN h.hit THEN m.body END AS body,"
                + " m.created_at, m.edited_at, m.deleted_at, m.moderation_status, m.n, c.name AS channel_name, h.hit,"
                + " min(ARRAY[(extract(epoch FROM m.created_at) * 1000000)::bigint, m.channel_id, m.seq]) FILTER (WHERE h.visible)"
                + " OVER (ORDER BY " + searchOrder("m", oneChannel) + " ROWS UNBOUNDED PRECEDING) AS last_visible"
                // ROWS frames: a window over the answer order need not read ahead to find the peers of a row
                + " FROM (SELECT channel_id, seq, sender_id, client_msg_id, body, created_at, edited_at, deleted_at, moderation_status,"
                + " search_config, search_vector,"
                + " row_number() OVER (ORDER BY " + searchOrder("m", oneChannel) + " ROWS UNBOUNDED PRECEDING) AS n FROM messages m"
                + " WHERE " + read + " ORDER BY " + searchOrder("m", oneChannel) + " LIMIT " + bound + ") m" + SEARCH_JOINS
                + " CROSS JOIN LATERAL (SELECT " + SEARCH_VISIBLE + " AS visible) v"
                + " CROSS JOIN LATERAL (SELECT v.visible AND " + SEARCH_SHOWN + " AND " + match + " AS hit, v.visible) h) s"
                + " WHERE s.hit OR s.n = " + bound
                + " ORDER BY " + searchOrder("s", oneChannel) + " LIMIT " + (oneChannel ? "$6" : "$7");
    }

    /**
     * Messages with the words' lexemes ({@code lexemes}) from the full-text index, at most the bound of
     * them before any other filter (so at most that many rows are read), counted ({@code candidates});
     * when fewer than the bound matched, these are all the matches, and those that {@code match} in their
     * own configuration, readable and before the cursor, follow, at most the rows asked, in answer order.
     * One row with only {@code candidates} when none follows.
     */
    static String searchCandidates(String lexemes, String match, boolean oneChannel) {
        String bound = oneChannel ? "$7" : "$8";
        String before = oneChannel ? "m.channel_id = $4 AND m.seq < $5" : "(m.created_at, m.channel_id, m.seq) < ($4, $5, $6)";
        return "/* search.candidates" + (oneChannel ? ".channel" : "") + " */ WITH found AS MATERIALIZED (SELECT " + MESSAGE_COLUMNS
                + ", search_config, search_vector FROM messages m WHERE " + lexemes + " LIMIT " + bound + ")"
                + " SELECT k.n AS candidates, r.* FROM (SELECT count(*) AS n FROM found) k LEFT JOIN LATERAL ("
                + "SELECT m.channel_id, m.seq, m.sender_id, m.client_msg_id, m.body, m.created_at, m.edited_at, m.deleted_at,"
                + " m.moderation_status, c.name AS channel_name FROM found m" + SEARCH_JOINS
                + " WHERE k.n < " + bound + " AND " + SEARCH_VISIBLE + " AND " + SEARCH_SHOWN + " AND " + match + " AND " + before
                + " ORDER BY " + searchOrder("m", oneChannel) + " LIMIT " + (oneChannel ? "$6" : "$7") + ") r ON true";
    }

    /** The text-search configurations of the languages of the rooms (searches ask each, and 'simple'). */
    static final String SEARCH_CONFIGS = "SELECT DISTINCT search_config(language)::text AS cfg FROM channels"
            + " WHERE kind = 'room' AND language IS NOT NULL";

    /** Read markers only move forward, and never past the channel's last seq. */
    static final String MEMBER_READ = "UPDATE channel_members m"
            + " SET last_read_seq = GREATEST(m.last_read_seq, LEAST($3, c.last_seq))"
            + " FROM channels c WHERE c.id = m.channel_id AND m.channel_id = $1 AND m.user_id = $2 AND NOT m.banned"
            // a read that does not move the marker changes nothing: no row, so no event and no cache invalidation
            + " AND LEAST($3, c.last_seq) > m.last_read_seq"
            + " RETURNING m.last_read_seq, c.last_seq, c.kind";

    /** Where a user's presence goes: the private and direct channels they are in. */
    static final String PRESENCE_CHANNELS = "SELECT cm.user_id, array_agg(cm.channel_id) AS ids FROM channel_members cm"
            + " JOIN channels c ON c.id = cm.channel_id"
            + " WHERE cm.user_id = ANY($1) AND NOT cm.banned AND c.is_active AND c.kind IN ('private', 'direct')"
            + " GROUP BY cm.user_id";
    /** One statement for a batch of announced changes; going offline stamps last_seen_at. */
    static final String PRESENCE_UPDATE = "UPDATE users u SET is_online = v.online,"
            + " last_seen_at = CASE WHEN v.online THEN u.last_seen_at ELSE now() END"
            + " FROM unnest($1::bigint[], $2::bool[]) AS v(id, online) WHERE u.id = v.id";
    static final String PRESENCE_LAST_SEEN = "UPDATE users u SET last_seen_at = GREATEST(u.last_seen_at, to_timestamp(v.ms / 1000.0))"
            + " FROM unnest($1::bigint[], $2::bigint[]) AS v(id, ms) WHERE u.id = v.id";
    static final String PRESENCE_ONLINE_USERS = "SELECT id FROM users WHERE is_online ORDER BY id LIMIT $1";
    /**
     * Of the users asked about ($2), those who share an active channel with the caller ($1), neither
     * banned there: presence is only answered for them. The caller always sees themself.
     */
    static final String PRESENCE_VISIBLE = "SELECT u.id FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, n) WHERE (u.id = $1"
            + " OR EXISTS (SELECT 1 FROM channel_members o"
            + "   JOIN channel_members me ON me.channel_id = o.channel_id AND me.user_id = $1 AND NOT me.banned"
            + "   JOIN channels c ON c.id = o.channel_id AND c.is_active"
            + "   WHERE o.user_id = u.id AND NOT o.banned)) ORDER BY u.n";
    static final String PRESENCE_FALLBACK = "SELECT id, is_online, last_seen_at FROM users WHERE id = ANY($1)";

    /**
     * Claims a job run: at most one node per interval (a run counts for the interval if it started within
     * 80% of it, which absorbs timer drift between nodes) and never while another holds the lease.
     */
    static final String JOB_CLAIM = "UPDATE jobs SET last_started_at = now(), lease_until = now() + make_interval(secs => $3::int),"
            + " last_node = $4, runs = runs + 1"
            + " WHERE name = $1 AND (last_started_at IS NULL OR last_started_at <= now() - make_interval(secs => $2::int * 0.8))"
            + " AND (lease_until IS NULL OR lease_until < now()) RETURNING runs";
    static final String JOB_DONE = "UPDATE jobs SET lease_until = NULL, last_finished_at = now(), last_duration_ms = $2,"
            + " last_result = $3 WHERE name = $1";
    /** Sessions a day past their end, and guests a day past theirs who never posted (posts keep their author). */
    static final String PURGE_SESSIONS = "DELETE FROM sessions WHERE expires_at < now() - interval '1 day'"
            + " OR revoked_at < now() - interval '1 day'";
    static final String PURGE_GUESTS = "DELETE FROM users u WHERE u.kind = 'guest' AND u.expires_at < now() - interval '1 day'"
            + " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.sender_id = u.id)";

    static final String SECRET_INSERT = "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
    static final String SECRET_GET = "SELECT value FROM server_secrets WHERE name = $1";

    // ---- lounges and rooms
    static final String LOUNGE_COLUMNS = "l.id, l.slug, l.name, l.is_active, l.created_at, l.retention_days";
    static final String ROOM_COLUMNS = "c.id, c.lounge_id, c.language, c.name, c.topic, c.own_active";
    /** Active lounges by slug (lounges_active_idx). */
    static final String LOUNGES_ACTIVE = "SELECT " + LOUNGE_COLUMNS + " FROM lounges l WHERE l.is_active ORDER BY l.slug LIMIT $1";
    static final String LOUNGE_BY_SLUG = "SELECT " + LOUNGE_COLUMNS + " FROM lounges l WHERE l.slug = $1";
    /** The active rooms of some lounges (channels_rooms_idx). */
    static final String ROOMS_ACTIVE = "SELECT " + ROOM_COLUMNS + " FROM channels c"
            + " WHERE c.kind = 'room' AND c.lounge_id = ANY($1) AND c.is_active ORDER BY c.lounge_id, c.language, c.id";
    /** Every room of one lounge, active or not (for admins). */
    static final String ROOMS_ALL = "SELECT " + ROOM_COLUMNS + " FROM channels c"
            + " WHERE c.kind = 'room' AND c.lounge_id = $1 ORDER BY c.language, c.id";
    /** Members in good standing and online ones per room: one range of the members' primary key per room. */
    static final String ROOM_COUNTS = "SELECT m.channel_id, count(*) AS members,"
            + " count(*) FILTER (WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id AND u.is_online)) AS online"
            + " FROM channel_members m WHERE m.channel_id = ANY($1) AND NOT m.banned GROUP BY m.channel_id";
    static final String LOUNGE_INSERT = "INSERT INTO lounges (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING"
            + " RETURNING id, slug, name, is_active, created_at, retention_days";
    static final String LOUNGE_UPDATE = "UPDATE lounges SET name = coalesce($2, name), is_active = coalesce($3, is_active)"
            + " WHERE slug = $1 RETURNING id, slug, name, is_active, created_at, retention_days";
    /** A room takes messages while it and its lounge are active: channels.is_active follows both. */
    static final String LOUNGE_ROOMS_ACTIVITY = "UPDATE channels SET is_active = own_active AND $2"
            + " WHERE kind = 'room' AND lounge_id = $1 AND is_active <> (own_active AND $2)";
    static final String ROOM_INSERT = "INSERT INTO channels (kind, name, topic, lounge_id, language, is_active, own_active)"
            + " SELECT 'room', $2, $3, l.id, $4, l.is_active, true FROM lounges l WHERE l.slug = $1"
            + " RETURNING id, lounge_id, language, name, topic, own_active";
    /** $4: null leaves the topic, '' clears it. */
    static final String ROOM_UPDATE = "UPDATE channels c SET name = coalesce($3, c.name),"
            + " topic = CASE WHEN $4::text IS NULL THEN c.topic WHEN $4 = '' THEN NULL ELSE $4 END,"
            + " own_active = coalesce($5, c.own_active), is_active = coalesce($5, c.own_active) AND l.is_active"
            + " FROM lounges l WHERE l.slug = $1 AND c.id = $2 AND c.kind = 'room' AND c.lounge_id = l.id"
            + " RETURNING c.id, c.lounge_id, c.language, c.name, c.topic, c.own_active";

    // ---- moderation
    /** Every owner but the new one becomes a moderator (a transfer). */
    static final String MEMBER_OWNERS_STEP_DOWN = "UPDATE channel_members SET role = 'moderator'"
            + " WHERE channel_id = $1 AND role = 'owner' AND user_id <> $2";
    /** A ban of a user who is not a member: a row that is banned and not joined (they cannot join while it stands). */
    static final String MEMBER_BAN_INSERT = "INSERT INTO channel_members (channel_id, user_id, role, last_read_seq, banned, joined)"
            + " SELECT $1, $2, 'member', last_seq, true, false FROM channels WHERE id = $1 ON CONFLICT (channel_id, user_id) DO NOTHING";
    /**
     * $3 role or null; $4 whether to set the mute; $5 the mute's end or null; $6 banned or null. A ban
     * takes any moderator role away (a lifted ban does not give it back).
     */
    static final String MEMBER_CHANGE = "UPDATE channel_members SET role = CASE WHEN $6 IS TRUE THEN 'member' ELSE coalesce($3, role) END,"
            + " muted_until = CASE WHEN $4 THEN $5 ELSE muted_until END, banned = coalesce($6, banned)"
            + " WHERE channel_id = $1 AND user_id = $2 RETURNING role, last_read_seq, muted_until, banned, joined";
    /** Lifting the ban of a user who is not a member: the row goes, and with it the only tie to the channel. */
    static final String MEMBER_UNBAN_NON_MEMBER = "DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2"
            + " AND banned AND NOT joined RETURNING role, last_read_seq, muted_until, banned, joined";
    /** A banned member who is removed keeps the ban, no longer as a member. */
    static final String MEMBER_REMOVE_BANNED = "UPDATE channel_members SET joined = false, role = 'member'"
            + " WHERE channel_id = $1 AND user_id = $2 AND banned AND joined";
    static final String MODERATION_RECORD = "INSERT INTO moderation_actions (channel_id, actor_id, target_id, action, reason, muted_until)"
            + " VALUES ($1, $2, $3, $4, $5, $6)";
    static final String MODERATION_LOG = "SELECT id, channel_id, actor_id, target_id, action, reason, muted_until, created_at, seq"
            + " FROM moderation_actions WHERE channel_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";

    static final String LOUNGE_MODERATOR = "SELECT 1 FROM lounge_moderators WHERE lounge_id = $1 AND user_id = $2";
    static final String LOUNGE_MODERATOR_ADD = "INSERT INTO lounge_moderators (lounge_id, user_id)"
            + " SELECT l.id, $2 FROM lounges l WHERE l.slug = $1 ON CONFLICT DO NOTHING RETURNING lounge_id";
    static final String LOUNGE_MODERATOR_REMOVE = "DELETE FROM lounge_moderators m USING lounges l"
            + " WHERE l.slug = $1 AND m.lounge_id = l.id AND m.user_id = $2 RETURNING m.lounge_id";
    static final String LOUNGE_MODERATORS = "SELECT lounge_id, user_id FROM lounge_moderators WHERE lounge_id = ANY($1) ORDER BY user_id";

    // ---- pre-moderation
    /** A channel's pending messages after seq $2, oldest first (messages_pending_idx). */
    static final String MODERATION_QUEUE = "SELECT " + MESSAGE_COLUMNS + " FROM messages"
            + " WHERE channel_id = $1 AND moderation_status = 'pending' AND seq > $2 AND deleted_at IS NULL ORDER BY seq LIMIT $3";
    /**
     * Approves or rejects ($3) pending message $2 in one statement: stamps it with the channel's last seq
     * (what a resuming subscribe compares its since with), moves the channel's last_decision_seq, records
     * the action ($4 the moderator, $5 the reason) and, for an approval, the mentions ($6 the handles).
     * No row: the message is not pending (or not there).
     */
    static final String MESSAGE_DECIDE = "WITH d AS (UPDATE messages m SET moderation_status = $3, decided_at_seq = c.last_seq"
            + "   FROM channels c WHERE c.id = $1 AND m.channel_id = $1 AND m.seq = $2 AND m.moderation_status = 'pending'"
            + "   AND m.deleted_at IS NULL RETURNING " + prefixed("m", MESSAGE_COLUMNS) + ", m.decided_at_seq),"
            + " ch AS (UPDATE channels SET last_decision_seq = GREATEST(last_decision_seq, d.decided_at_seq) FROM d WHERE id = $1),"
            + " log AS (INSERT INTO moderation_actions (channel_id, actor_id, target_id, action, reason, seq)"
            + "   SELECT $1, $4, d.sender_id, CASE WHEN $3 = 'approved' THEN 'approve' ELSE 'reject' END, $5, d.seq FROM d),"
            + mentionsInsert("d", "d.sender_id", "$6", "$3 = 'approved'")
            + " SELECT d.*, (SELECT array_agg(user_id) FROM men) AS mentioned FROM d";
    /**
     * The decisions a subscribe resuming from since $2 may have missed: messages up to $2 approved or
     * rejected while the channel's last seq was $2 or later (messages_decided_idx), in seq order.
     */
    static final String MESSAGE_DECISIONS = "SELECT " + MESSAGE_COLUMNS + " FROM messages"
            + " WHERE channel_id = $1 AND decided_at_seq >= $2 AND seq <= $2 ORDER BY seq LIMIT $3";
    /** Sets a channel's pre-moderation ($2) and, when it changed, records it ($3 the moderator) in the log. */
    static final String CHANNEL_PREMODERATION = "WITH u AS (UPDATE channels SET premoderation = $2 WHERE id = $1"
            + " AND premoderation <> $2 RETURNING id)"
            + " INSERT INTO moderation_actions (channel_id, actor_id, action, reason) SELECT $1, $3, 'premoderation', $2 FROM u";

    // ---- retention
    /** Channels whose messages expire, with their retention (their own, or their lounge's for a room). */
    static final String RETENTION_CHANNELS = "SELECT id, expired_through, days FROM ("
            + " SELECT c.id, c.expired_through, c.retention_days AS days FROM channels c WHERE c.retention_days IS NOT NULL"
            + " UNION ALL SELECT c.id, c.expired_through, l.retention_days FROM lounges l"
            + " JOIN channels c ON c.kind = 'room' AND c.lounge_id = l.id AND c.retention_days IS NULL"
            + " WHERE l.retention_days IS NOT NULL) r"
            // only channels with something due: the oldest message left (the one after expired_through) is past
            // the retention; one primary-key probe each, so channels with nothing due cost no batch read
            + " WHERE EXISTS (SELECT 1 FROM messages m WHERE m.channel_id = r.id AND m.seq = r.expired_through + 1"
            + " AND m.created_at < now() - make_interval(days => r.days))"
            + " ORDER BY id LIMIT $1";
    /**
     * Deletes the next batch ($3) of a channel's oldest messages after $2 (its expired_through) that are
     * older than $4, stopping at the first one that is not: the seqs left stay one unbroken run.
     */
    static final String RETENTION_DELETE = "WITH batch AS (SELECT seq, created_at FROM messages"
            + "   WHERE channel_id = $1 AND seq > $2 ORDER BY seq LIMIT $3),"
            + " upto AS (SELECT coalesce((SELECT min(seq) - 1 FROM batch WHERE created_at >= $4), (SELECT max(seq) FROM batch)) AS seq)"
            + " DELETE FROM messages m USING upto WHERE m.channel_id = $1 AND m.seq > $2 AND m.seq <= upto.seq RETURNING m.seq";
    static final String RETENTION_MARK = "UPDATE channels SET expired_through = GREATEST(expired_through, $2) WHERE id = $1";
    static final String CHANNEL_RETENTION = "UPDATE channels SET retention_days = $2 WHERE id = $1";
    static final String LOUNGE_RETENTION = "UPDATE lounges SET retention_days = $2 WHERE slug = $1 RETURNING id";

    private SqlQueries() {
    }
}
