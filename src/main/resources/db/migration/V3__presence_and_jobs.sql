-- Background jobs: one row per job; a node claims a run by moving last_started_at and taking the lease,
-- so exactly one node runs each job per interval, and a runner that dies loses its lease.
CREATE TABLE jobs (
    name              text PRIMARY KEY,
    last_started_at   timestamptz NULL,
    lease_until       timestamptz NULL,
    last_finished_at  timestamptz NULL,
    last_duration_ms  bigint      NULL,
    last_result       text        NULL,
    last_node         text        NULL,
    runs              bigint      NOT NULL DEFAULT 0
);
INSERT INTO jobs (name) VALUES ('presence-sweep'), ('last-seen-flush'), ('purge');

-- The sweep reads the users marked online; they are few compared to all users.
CREATE INDEX users_online_idx ON users (id) WHERE is_online;
-- The purge finds expired sessions and guests.
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
