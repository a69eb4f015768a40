-- +goose Up
-- Live streams (internal/live), formerly streams.json in the live data
-- directory of the one node that ran ingest. In the catalog any API node
-- lists and shows them, and the ingest node updates their state. Times are
-- milliseconds since the epoch (0: not yet); renditions, health and restream are JSON.
CREATE TABLE live_streams (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    owner_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    stream_key TEXT NOT NULL UNIQUE,
    passphrase TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    started_at BIGINT NOT NULL DEFAULT 0,
    ended_at BIGINT NOT NULL DEFAULT 0,
    connected BOOLEAN NOT NULL DEFAULT FALSE,
    renditions TEXT NOT NULL DEFAULT '',
    video_id TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    node TEXT NOT NULL DEFAULT '',
    health TEXT NOT NULL DEFAULT '',
    end_requested BOOLEAN NOT NULL DEFAULT FALSE,
    restream TEXT NOT NULL DEFAULT ''
);
CREATE INDEX live_streams_owner ON live_streams (owner_id, created_at);

-- +goose Down
DROP TABLE live_streams;
