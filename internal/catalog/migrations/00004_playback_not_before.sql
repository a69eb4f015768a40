-- +goose Up
-- Playback grants (signed URLs and cookies) issued before this time stop
-- working for the video: it is set when sharing narrows (public to private,
-- a user removed from a restricted list), so unsharing takes effect at once
-- instead of when the grants expire. Microseconds since the epoch (grants
-- carry their issue time to the microsecond, so one fetched right after the
-- change sorts after it).
ALTER TABLE videos ADD COLUMN playback_not_before BIGINT;

-- +goose Down
ALTER TABLE videos DROP COLUMN playback_not_before;
