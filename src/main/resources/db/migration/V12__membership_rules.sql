-- Membership rules (issue: moderation cannot be turned against a channel).
-- joined: the user is (or was, until banned) a member. A ban of someone who never joined, or of a
-- member who is then removed, keeps a row with joined = false: it stops them joining or reading a room,
-- and lifting that ban deletes the row instead of making them a member. Rows from before this migration
-- cannot be told apart and stay joined.
ALTER TABLE channel_members ADD COLUMN joined boolean NOT NULL DEFAULT true;
-- Removals by a moderator are moderator actions too.
ALTER TABLE moderation_actions DROP CONSTRAINT moderation_actions_action_check;
ALTER TABLE moderation_actions ADD CONSTRAINT moderation_actions_action_check
    CHECK (action IN ('appoint', 'demote', 'transfer', 'mute', 'unmute', 'ban', 'unban', 'approve', 'reject', 'premoderation',
                      'remove'));
