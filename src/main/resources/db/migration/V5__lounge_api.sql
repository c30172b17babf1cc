-- Lounges and their rooms become manageable (issue: lounges and language rooms).
-- A room has its own switch (own_active); channels.is_active of a room is own_active AND its lounge's
-- is_active, kept so by the lounge store in the same transaction, so that every channel query keeps
-- reading the one flag it reads today.
ALTER TABLE channels ADD COLUMN own_active boolean NOT NULL DEFAULT true;
UPDATE channels SET own_active = false WHERE NOT is_active;
ALTER TABLE lounges ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();

-- The lists: active lounges by slug; a lounge's rooms by activity and language.
CREATE INDEX lounges_active_idx ON lounges (is_active, slug);
DROP INDEX channels_lounge_idx;
CREATE INDEX channels_rooms_idx ON channels (lounge_id, is_active, language) WHERE kind = 'room';
