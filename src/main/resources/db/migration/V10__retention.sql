-- Retention (issue: retention): a lounge, room or channel may keep its messages for a number of days
-- (none by default; a room without its own takes its lounge's). The retention job deletes the oldest
-- messages first, in small batches, and records in expired_through the highest seq it deleted, so the
-- seqs left are always one unbroken run up to last_seq.
ALTER TABLE lounges ADD COLUMN retention_days integer NULL CHECK (retention_days > 0);
ALTER TABLE channels ADD COLUMN retention_days integer NULL CHECK (retention_days > 0);
ALTER TABLE channels ADD COLUMN expired_through bigint NOT NULL DEFAULT 0;
CREATE INDEX channels_retention_idx ON channels (id) WHERE retention_days IS NOT NULL;
CREATE INDEX lounges_retention_idx ON lounges (id) WHERE retention_days IS NOT NULL;
