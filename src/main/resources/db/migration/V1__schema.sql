-- Parley schema, version 1. Applied once, in a transaction, by io.parley.persistence.Migrations.

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    handle        text        NOT NULL,
    display_name  text        NOT NULL,
    phone_number  text        NULL,
    password_hash text        NULL,
    kind          text        NOT NULL DEFAULT 'member' CHECK (kind IN ('member', 'guest', 'service')),
    role          text        NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    is_online     boolean     NOT NULL DEFAULT false,
    last_seen_at  timestamptz NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NULL
);
-- Handles are unique whatever their case; lookups go through lower(handle).
CREATE UNIQUE INDEX users_handle_key ON users (lower(handle));
CREATE UNIQUE INDEX users_phone_number_key ON users (phone_number) WHERE phone_number IS NOT NULL;
CREATE INDEX users_expires_at_idx ON users (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE sessions (
    id           bigserial PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_hash bytea       NOT NULL UNIQUE,
    family_id    uuid        NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz NULL,
    -- set when this token was rotated (as opposed to revoked by signout or reuse detection)
    replaced_at  timestamptz NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_family_idx ON sessions (family_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE lounges (
    id        bigserial PRIMARY KEY,
    slug      text    NOT NULL UNIQUE,
    name      text    NOT NULL,
    is_active boolean NOT NULL DEFAULT true
);

CREATE TABLE channels (
    id              bigserial PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('public', 'private', 'direct', 'room')),
    name            text        NOT NULL,
    topic           text        NULL,
    lounge_id       bigint      NULL REFERENCES lounges (id),
    language        text        NULL,
    -- 'lo:hi' user ids of a direct channel, so get-or-create is one unique lookup
    direct_key      text        NULL UNIQUE,
    created_by      bigint      NULL REFERENCES users (id) ON DELETE SET NULL,
    last_seq        bigint      NOT NULL DEFAULT 0,
    last_message_at timestamptz NULL,
    is_active       boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'room') = (lounge_id IS NOT NULL))
);
CREATE INDEX channels_lounge_idx ON channels (lounge_id, language) WHERE lounge_id IS NOT NULL;

CREATE TABLE channel_members (
    channel_id    bigint      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id       bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          text        NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member')),
    last_read_seq bigint      NOT NULL DEFAULT 0,
    muted_until   timestamptz NULL,
    banned        boolean     NOT NULL DEFAULT false,
    joined_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user_idx ON channel_members (user_id, channel_id);

CREATE TABLE messages (
    channel_id        bigint      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    seq               bigint      NOT NULL,
    sender_id         bigint      NOT NULL REFERENCES users (id),
    client_msg_id     text        NOT NULL,
    body              text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    edited_at         timestamptz NULL,
    deleted_at        timestamptz NULL,
    moderation_status text        NOT NULL DEFAULT 'approved' CHECK (moderation_status IN ('approved', 'pending', 'rejected')),
    PRIMARY KEY (channel_id, seq),
    UNIQUE (channel_id, sender_id, client_msg_id)
);
CREATE INDEX messages_body_fts_idx ON messages USING gin (to_tsvector('simple', body));

-- Server-wide secrets shared by every node of a cluster (the access-token signing key).
CREATE TABLE server_secrets (
    name       text PRIMARY KEY,
    value      bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
