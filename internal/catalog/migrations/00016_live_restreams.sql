-- +goose Up
-- Restream destinations of live streams (RTMP URLs with their secret key).
-- The API node that adds one writes a row; the ingest node running the
-- broadcast reads them every few seconds and writes each one's status, so
-- neither overwrites the other's columns. Times are milliseconds since the
-- epoch (0: never).
CREATE TABLE live_restreams (
    id TEXT PRIMARY KEY,
    stream_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'idle',
    error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX live_restreams_stream ON live_restreams (stream_id, created_at);

-- +goose Down
DROP TABLE live_restreams;
