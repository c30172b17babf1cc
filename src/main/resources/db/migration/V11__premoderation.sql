-- Pre-moderation (issue: moderation): a channel or room may hold messages for a moderator's approval,
-- from guests only or from everyone ('off' by default). A held message takes its seq at once, with
-- moderation_status 'pending'; a moderator approves or rejects it later.
ALTER TABLE channels ADD COLUMN premoderation text NOT NULL DEFAULT 'off'
    CHECK (premoderation IN ('off', 'guests', 'all'));
-- The channel's last_seq at its latest approval or rejection: a subscribe resuming from a since at or
-- below it asks for the decisions it may have missed; at 0 (no decision ever) it asks nothing.
ALTER TABLE channels ADD COLUMN last_decision_seq bigint NOT NULL DEFAULT 0;
-- The channel's last_seq when this message was approved or rejected (null while pending, or never held).
ALTER TABLE messages ADD COLUMN decided_at_seq bigint NULL;
-- The moderation queue: a channel's pending messages in seq order.
CREATE INDEX messages_pending_idx ON messages (channel_id, seq) WHERE moderation_status = 'pending';
-- The decisions a resuming subscribe may have missed.
CREATE INDEX messages_decided_idx ON messages (channel_id, decided_at_seq) WHERE decided_at_seq IS NOT NULL;
-- Approvals and rejections are moderator actions too, recorded with the message they decided.
ALTER TABLE moderation_actions DROP CONSTRAINT moderation_actions_action_check;
ALTER TABLE moderation_actions ADD CONSTRAINT moderation_actions_action_check
    CHECK (action IN ('appoint', 'demote', 'transfer', 'mute', 'unmute', 'ban', 'unban', 'approve', 'reject', 'premoderation'));
ALTER TABLE moderation_actions ADD COLUMN seq bigint NULL;
