-- +goose Up
-- Every process that works jobs writes its row every few seconds. A running
-- job whose worker's row has gone quiet for longer than the lease is handed
-- to another worker (internal/queue/lease.go). seen_at is milliseconds since
-- the epoch on the database's clock, so machines' clocks need not agree.
CREATE TABLE worker_heartbeats (
    id TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE worker_heartbeats;
