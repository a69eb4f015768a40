-- +goose Up
-- Wrong passwords are counted per (email, client address) instead of per
-- account: a lock then says nothing about whether the email has an account
-- (unknown emails lock the same way), and a guesser elsewhere cannot keep
-- the owner out.
CREATE TABLE login_failures (
    email_hash     TEXT NOT NULL,   -- SHA-256 of the lower-cased email as typed
    client         TEXT NOT NULL,   -- the client's address, or its IPv6 /64
    failures       INTEGER NOT NULL DEFAULT 0,
    locked_until   BIGINT,
    last_failed_at BIGINT NOT NULL,
    PRIMARY KEY (email_hash, client)
);
CREATE INDEX login_failures_last_failed ON login_failures (last_failed_at);

-- users.failed_logins and users.locked_until are no longer used. They stay
-- so that nodes still running the previous release keep working during a
-- rolling upgrade; a later migration may drop them.

-- +goose Down
DROP INDEX login_failures_last_failed;
DROP TABLE login_failures;
