-- Lounge-wide moderators, set by admins: they moderate every room of their lounge.
CREATE TABLE lounge_moderators (
    lounge_id bigint NOT NULL REFERENCES lounges (id) ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (lounge_id, user_id)
);
CREATE INDEX lounge_moderators_user_idx ON lounge_moderators (user_id);
