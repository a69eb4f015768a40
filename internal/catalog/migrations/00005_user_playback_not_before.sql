-- +goose Up
-- Playback grants (signed URLs and cookies) issued to this user before this
-- time stop working: it is set when the user loses access (disabled, role
-- taken down, a group removed, password reset by an admin), so a cancelled
-- subscriber loses playback at once instead of when the grants expire.
-- Deleting the user removes the row, which revokes all of their grants.
-- Microseconds since the epoch, like videos.playback_not_before.
ALTER TABLE users ADD COLUMN playback_not_before BIGINT;

-- +goose Down
ALTER TABLE users DROP COLUMN playback_not_before;
