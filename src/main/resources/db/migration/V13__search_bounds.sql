-- Bounded search (issue 22, docs/decisions.md "Search reads a bounded number of rows"). A search first
-- reads the newest messages in the order it answers (created_at, channel_id, seq, descending) and checks
-- each against the words, stopping after search.scanRows of them: this index is that order. A search of
-- one channel reads the channel's own order from the primary key instead.
-- IF NOT EXISTS: on a big table an operator may build it beforehand without blocking sends
-- (CREATE INDEX CONCURRENTLY, docs/operations.md "Search").
CREATE INDEX IF NOT EXISTS messages_created_idx ON messages (created_at, channel_id, seq);
