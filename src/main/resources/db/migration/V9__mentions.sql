-- Mentions (issue: mentions): who was mentioned by which message. A user's unread mentions in a channel
-- are a range of the primary key: (user, channel, seq > the user's read marker).
CREATE TABLE mentions (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id bigint NOT NULL,
    seq        bigint NOT NULL,
    PRIMARY KEY (user_id, channel_id, seq),
    FOREIGN KEY (channel_id, seq) REFERENCES messages (channel_id, seq) ON DELETE CASCADE
);
