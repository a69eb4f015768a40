-- +goose Up
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    is_admin     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);

CREATE TABLE videos (
    id                    TEXT PRIMARY KEY,
    title                 TEXT NOT NULL,
    status                TEXT NOT NULL,
    kind                  TEXT NOT NULL DEFAULT '',
    error                 TEXT NOT NULL DEFAULT '',
    progress              DOUBLE PRECISION NOT NULL DEFAULT 0,
    duration              DOUBLE PRECISION NOT NULL DEFAULT 0,
    width                 INTEGER NOT NULL DEFAULT 0,
    height                INTEGER NOT NULL DEFAULT 0,
    source_key            TEXT NOT NULL DEFAULT '',
    source_size           BIGINT NOT NULL DEFAULT 0,
    renditions            TEXT NOT NULL DEFAULT '[]',
    plan                  TEXT NOT NULL DEFAULT '',
    run                   INTEGER NOT NULL DEFAULT 0,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    uploaded_at           BIGINT,
    processing_started_at BIGINT,
    ready_at              BIGINT
);
CREATE INDEX videos_status_created ON videos (status, created_at);

-- One row per job of a pipeline run; progress feeds the video's progress bar.
CREATE TABLE pipeline_steps (
    video_id TEXT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    run      INTEGER NOT NULL,
    name     TEXT NOT NULL,
    weight   DOUBLE PRECISION NOT NULL,
    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
    done     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (video_id, run, name)
);

-- The fan-in counter: parallel steps still running before packaging may start.
-- Decrementing one row serialises concurrent finishers on every database.
CREATE TABLE pipeline_runs (
    video_id TEXT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    run      INTEGER NOT NULL,
    pending  INTEGER NOT NULL,
    PRIMARY KEY (video_id, run)
);

-- +goose Down
DROP TABLE pipeline_runs;
DROP TABLE pipeline_steps;
DROP TABLE videos;
DROP TABLE api_keys;
