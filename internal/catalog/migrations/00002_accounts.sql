-- +goose Up
-- Accounts: users with roles, server-side sessions, scoped API keys, video
-- ownership and visibility, and per-account webhooks.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE, -- stored lower-case
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,        -- argon2id PHC string
    role          TEXT NOT NULL,        -- admin, uploader or viewer
    group_names   TEXT NOT NULL DEFAULT '[]', -- JSON list
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  BIGINT,
    created_at    BIGINT NOT NULL,
    last_login_at BIGINT
);

-- Only the SHA-256 of a session id is stored; a database leak yields no
-- usable cookie.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE invites (
    code_hash  TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_by    TEXT
);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Keys made before accounts existed have no user: they act for themselves
-- (their own id is the owner of what they create).
ALTER TABLE api_keys ADD COLUMN user_id TEXT REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN revoked_at BIGINT;
UPDATE api_keys SET scopes = CASE WHEN is_admin THEN 'read,upload,admin' ELSE 'read,upload' END;

-- owner_id is a user id, or an API key id for keys without a user.
ALTER TABLE videos ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN visibility TEXT NOT NULL DEFAULT 'private';
-- JSON lists; only read when visibility is 'restricted'.
ALTER TABLE videos ADD COLUMN allowed_users TEXT NOT NULL DEFAULT '[]';
ALTER TABLE videos ADD COLUMN allowed_groups TEXT NOT NULL DEFAULT '[]';
CREATE INDEX videos_owner_created ON videos (owner_id, created_at);
CREATE INDEX videos_visibility_created ON videos (visibility, created_at);

CREATE TABLE webhook_endpoints (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL, -- receives events of videos with this owner
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL, -- HMAC key; shown to its owner once
    events     TEXT NOT NULL, -- comma-separated event names
    created_at BIGINT NOT NULL,
    disabled   BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_id);

CREATE TABLE webhook_deliveries (
    id            TEXT PRIMARY KEY,
    endpoint_id   TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event         TEXT NOT NULL,
    payload       TEXT NOT NULL,
    state         TEXT NOT NULL, -- pending, delivered, failed
    attempts      INTEGER NOT NULL DEFAULT 0,
    response_code INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    delivered_at  BIGINT
);
CREATE INDEX webhook_deliveries_endpoint_created ON webhook_deliveries (endpoint_id, created_at);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP INDEX videos_visibility_created;
DROP INDEX videos_owner_created;
ALTER TABLE videos DROP COLUMN allowed_groups;
ALTER TABLE videos DROP COLUMN allowed_users;
ALTER TABLE videos DROP COLUMN visibility;
ALTER TABLE videos DROP COLUMN owner_id;
ALTER TABLE api_keys DROP COLUMN revoked_at;
ALTER TABLE api_keys DROP COLUMN scopes;
ALTER TABLE api_keys DROP COLUMN user_id;
DROP TABLE settings;
DROP TABLE invites;
DROP TABLE sessions;
DROP TABLE users;
