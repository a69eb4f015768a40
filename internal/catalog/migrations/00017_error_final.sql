-- +goose Up
-- A failure the file itself causes (not media, cannot be decoded, over the
-- server's limits): retrying the same file fails the same way, so the UI
-- offers no Retry and the API refuses one. Cleared when a new run starts.
ALTER TABLE videos ADD COLUMN error_final BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE videos DROP COLUMN error_final;
