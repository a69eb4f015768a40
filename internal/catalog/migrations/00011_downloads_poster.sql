-- +goose Up
-- Downloads (#14), opt-in per video: '' off, 'pending' (asked for, the
-- files are being made), 'ready' (media/<id>/download/ holds them),
-- 'failed'.
ALTER TABLE videos ADD COLUMN downloads TEXT NOT NULL DEFAULT '';
-- The published poster's file name under media/<id>/ when the owner chose
-- a frame or uploaded an image; '' is the pipeline's poster.jpg.
ALTER TABLE videos ADD COLUMN poster TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE videos DROP COLUMN poster;
ALTER TABLE videos DROP COLUMN downloads;
