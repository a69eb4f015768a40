-- +goose Up
-- Audio tracks added to a ready video after its upload (#14): another
-- language, encoded like the video's own audio renditions and added to its
-- manifests without re-encoding the video. status: 'processing' (the
-- add_audio job encodes it), 'ready' (published as rendition `rendition`,
-- listed in the video's renditions), 'failed' (error says why). The file
-- itself is kept at source_key in the raw store.
CREATE TABLE audio_uploads (
    id         TEXT PRIMARY KEY,
    video_id   TEXT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    language   TEXT NOT NULL,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    error      TEXT NOT NULL DEFAULT '',
    rendition  TEXT NOT NULL DEFAULT '',
    source_key TEXT NOT NULL,
    duration   DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX audio_uploads_video ON audio_uploads (video_id, created_at);

-- +goose Down
DROP TABLE audio_uploads;
