-- +goose Up
-- When a video became playable while still processing (progressive
-- playback): its manifests cover the whole duration and delivery waits for
-- segments still being encoded. Milliseconds since the epoch, like ready_at;
-- NULL until then, and again when a failed video is retried.
ALTER TABLE videos ADD COLUMN playable_at BIGINT;

-- +goose Down
ALTER TABLE videos DROP COLUMN playable_at;
