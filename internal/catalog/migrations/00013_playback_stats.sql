-- +goose Up
-- Playback analytics (issue #15), collected by the players' beacon
-- (POST /api/v1/playback-events) and kept as per-video, per-hour sums
-- rather than raw events, so the tables grow with videos x hours watched,
-- never with viewers. hour is milliseconds since the epoch at the start of
-- the hour (UTC). Averages and ratios are computed when read.
CREATE TABLE playback_stats (
    video_id TEXT NOT NULL,
    hour BIGINT NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    watch_ms BIGINT NOT NULL DEFAULT 0,
    startups BIGINT NOT NULL DEFAULT 0,
    startup_ms BIGINT NOT NULL DEFAULT 0,
    rebuffers BIGINT NOT NULL DEFAULT 0,
    rebuffer_ms BIGINT NOT NULL DEFAULT 0,
    errors BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (video_id, hour)
);
CREATE INDEX playback_stats_hour ON playback_stats (hour);
-- Watch time per rendition played (height in pixels, 0 for audio).
CREATE TABLE playback_renditions (
    video_id TEXT NOT NULL,
    hour BIGINT NOT NULL,
    height INTEGER NOT NULL,
    watch_ms BIGINT NOT NULL DEFAULT 0,
    max_bitrate BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (video_id, hour, height)
);
CREATE INDEX playback_renditions_hour ON playback_renditions (hour);

-- +goose Down
DROP TABLE playback_renditions;
DROP TABLE playback_stats;
