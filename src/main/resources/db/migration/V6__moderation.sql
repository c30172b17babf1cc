-- Moderation (issue: lounges, rooms and moderation): every moderator action is recorded.
CREATE TABLE moderation_actions (
    id          bigserial   PRIMARY KEY,
    channel_id  bigint      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    actor_id    bigint      NULL REFERENCES users (id) ON DELETE SET NULL,
    target_id   bigint      NULL REFERENCES users (id) ON DELETE SET NULL,
    action      text        NOT NULL CHECK (action IN ('appoint', 'demote', 'transfer', 'mute', 'unmute', 'ban', 'unban')),
    reason      text        NULL,
    muted_until timestamptz NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- a channel's log, newest first, paged by id
CREATE INDEX moderation_actions_channel_idx ON moderation_actions (channel_id, id DESC);
-- the users' own foreign keys: deleting a user (a purged guest) must not scan the log
CREATE INDEX moderation_actions_actor_idx ON moderation_actions (actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX moderation_actions_target_idx ON moderation_actions (target_id) WHERE target_id IS NOT NULL;
-- a user's messages: nothing indexed sender_id, so its foreign key check (purging a guest) scanned messages
CREATE INDEX messages_sender_idx ON messages (sender_id, created_at);
