-- +goose Up
-- Per-user quota overrides set by an admin; NULL follows the server's
-- defaults (KINEMA_QUOTA_*), 0 means no quota for this user.
ALTER TABLE users ADD COLUMN quota_processing_minutes DOUBLE PRECISION;
ALTER TABLE users ADD COLUMN quota_storage_bytes BIGINT;
-- What a video's published media (renditions, thumbnails, storyboard) hold
-- in the store, recorded at publish; with source_size it is what the video
-- counts against its owner's storage quota.
ALTER TABLE videos ADD COLUMN media_bytes BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE videos DROP COLUMN media_bytes;
ALTER TABLE users DROP COLUMN quota_storage_bytes;
ALTER TABLE users DROP COLUMN quota_processing_minutes;
