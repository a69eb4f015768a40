-- +goose Up
-- Captions and subtitles of a video: uploaded through the API or extracted
-- from the source's text streams at probe (origin 'source', replaced when
-- the video is processed again). body is the clean WebVTT that packaging
-- publishes under media/<video>/; the catalog keeps it so a reprocess or a
-- change after ready needs no other copy.
CREATE TABLE text_tracks (
    id         TEXT PRIMARY KEY,
    video_id   TEXT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    language   TEXT NOT NULL,
    label      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    origin     TEXT NOT NULL,
    cues       INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    position   INTEGER NOT NULL -- order of addition within the video
);
CREATE INDEX text_tracks_video ON text_tracks (video_id, position);

-- A video's chapters, a JSON list of {start, title}: from the source
-- (origin 'source') or set through the API ('api'), which the source's
-- never replace.
CREATE TABLE video_chapters (
    video_id TEXT PRIMARY KEY REFERENCES videos (id) ON DELETE CASCADE,
    origin   TEXT NOT NULL,
    chapters TEXT NOT NULL
);

-- +goose Down
DROP TABLE video_chapters;
DROP TABLE text_tracks;
