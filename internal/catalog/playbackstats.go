package catalog

import (
	"context"
	"fmt"
	"time"
)

// PlaybackDelta is what one beacon adds to a video's hour.
type PlaybackDelta struct {
	Views      int64
	WatchMS    int64
	Startups   int64
	StartupMS  int64
	Rebuffers  int64
	RebufferMS int64
	Errors     int64
	// Renditions maps a rendition's height (0: audio) to the watch time
	// spent on it and the highest bitrate seen for it.
	Renditions map[int]RenditionDelta
}

// RenditionDelta is watch time on one rendition.
type RenditionDelta struct {
	WatchMS int64
	Bitrate int64
}

// Empty says whether d adds nothing.
func (d PlaybackDelta) Empty() bool {
	return d.Views == 0 && d.WatchMS == 0 && d.Startups == 0 && d.Rebuffers == 0 && d.RebufferMS == 0 &&
		d.Errors == 0 && len(d.Renditions) == 0
}

// hourOf is the start of at's hour in milliseconds since the epoch.
func hourOf(at time.Time) int64 { return at.UTC().Truncate(time.Hour).UnixMilli() }

// AddPlayback adds d to videoID's bucket for the hour of at.
func (c *Catalog) AddPlayback(ctx context.Context, videoID string, at time.Time, d PlaybackDelta) error {
	h := hourOf(at)
	if d.Views|d.WatchMS|d.Startups|d.StartupMS|d.Rebuffers|d.RebufferMS|d.Errors != 0 {
		_, err := c.exec(ctx, `INSERT INTO playback_stats
			(video_id, hour, views, watch_ms, startups, startup_ms, rebuffers, rebuffer_ms, errors)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (video_id, hour) DO UPDATE SET
			views = playback_stats.views + excluded.views,
			watch_ms = playback_stats.watch_ms + excluded.watch_ms,
			startups = playback_stats.startups + excluded.startups,
			startup_ms = playback_stats.startup_ms + excluded.startup_ms,
			rebuffers = playback_stats.rebuffers + excluded.rebuffers,
			rebuffer_ms = playback_stats.rebuffer_ms + excluded.rebuffer_ms,
			errors = playback_stats.errors + excluded.errors`,
			videoID, h, d.Views, d.WatchMS, d.Startups, d.StartupMS, d.Rebuffers, d.RebufferMS, d.Errors)
		if err != nil {
			return fmt.Errorf("add playback of %s: %w", videoID, err)
		}
	}
	for height, r := range d.Renditions {
		_, err := c.exec(ctx, `INSERT INTO playback_renditions (video_id, hour, height, watch_ms, max_bitrate)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (video_id, hour, height) DO UPDATE SET
			watch_ms = playback_renditions.watch_ms + excluded.watch_ms,
			max_bitrate = CASE WHEN excluded.max_bitrate > playback_renditions.max_bitrate
				THEN excluded.max_bitrate ELSE playback_renditions.max_bitrate END`,
			videoID, h, height, r.WatchMS, r.Bitrate)
		if err != nil {
			return fmt.Errorf("add rendition playback of %s: %w", videoID, err)
		}
	}
	return nil
}

// PlaybackBucket is the sums of one hour (or of a whole range).
type PlaybackBucket struct {
	Hour       time.Time `json:"hour"`
	Views      int64     `json:"views"`
	WatchMS    int64     `json:"watch_ms"`
	Startups   int64     `json:"startups"`
	StartupMS  int64     `json:"startup_ms"`
	Rebuffers  int64     `json:"rebuffers"`
	RebufferMS int64     `json:"rebuffer_ms"`
	Errors     int64     `json:"errors"`
}

// RenditionStat is watch time on one rendition height over a range.
type RenditionStat struct {
	Height     int   `json:"height"`
	WatchMS    int64 `json:"watch_ms"`
	MaxBitrate int64 `json:"max_bitrate"`
}

// VideoPlayback is one video's sums over a range.
type VideoPlayback struct {
	VideoID string `json:"video_id"`
	Title   string `json:"title"`
	Views   int64  `json:"views"`
	WatchMS int64  `json:"watch_ms"`
}

// PlaybackStats are the sums over [from, to): per hour (only hours with
// data, oldest first), in total, and per rendition.
type PlaybackStats struct {
	Hours      []PlaybackBucket `json:"hours"`
	Total      PlaybackBucket   `json:"total"`
	Renditions []RenditionStat  `json:"renditions"`
}

// PlaybackStats sums a video's buckets in [from, to); videoID "" sums
// every video.
func (c *Catalog) PlaybackStats(ctx context.Context, videoID string, from, to time.Time) (PlaybackStats, error) {
	where, args := `hour >= ? AND hour < ?`, []any{from.UnixMilli(), to.UnixMilli()}
	if videoID != "" {
		where += ` AND video_id = ?`
		args = append(args, videoID)
	}
	out := PlaybackStats{Hours: []PlaybackBucket{}, Renditions: []RenditionStat{}}
	r, err := c.q.query(ctx, c.rebind(`SELECT hour, CAST(SUM(views) AS BIGINT), CAST(SUM(watch_ms) AS BIGINT), CAST(SUM(startups) AS BIGINT), CAST(SUM(startup_ms) AS BIGINT),
		CAST(SUM(rebuffers) AS BIGINT), CAST(SUM(rebuffer_ms) AS BIGINT), CAST(SUM(errors) AS BIGINT) FROM playback_stats WHERE `+where+
		` GROUP BY hour ORDER BY hour`), args...)
	if err != nil {
		return out, fmt.Errorf("playback stats: %w", err)
	}
	defer r.Close()
	for r.Next() {
		var b PlaybackBucket
		var h int64
		if err := r.Scan(&h, &b.Views, &b.WatchMS, &b.Startups, &b.StartupMS, &b.Rebuffers, &b.RebufferMS, &b.Errors); err != nil {
			return out, fmt.Errorf("playback stats: %w", err)
		}
		b.Hour = time.UnixMilli(h).UTC()
		out.Hours = append(out.Hours, b)
		t := &out.Total
		t.Views += b.Views
		t.WatchMS += b.WatchMS
		t.Startups += b.Startups
		t.StartupMS += b.StartupMS
		t.Rebuffers += b.Rebuffers
		t.RebufferMS += b.RebufferMS
		t.Errors += b.Errors
	}
	if err := r.Err(); err != nil {
		return out, fmt.Errorf("playback stats: %w", err)
	}
	r.Close()
	out.Total.Hour = from.UTC()
	rr, err := c.q.query(ctx, c.rebind(`SELECT height, CAST(SUM(watch_ms) AS BIGINT), MAX(max_bitrate) FROM playback_renditions
		WHERE `+where+` GROUP BY height ORDER BY height DESC`), args...)
	if err != nil {
		return out, fmt.Errorf("rendition stats: %w", err)
	}
	defer rr.Close()
	for rr.Next() {
		var s RenditionStat
		if err := rr.Scan(&s.Height, &s.WatchMS, &s.MaxBitrate); err != nil {
			return out, fmt.Errorf("rendition stats: %w", err)
		}
		out.Renditions = append(out.Renditions, s)
	}
	return out, rr.Err()
}

// TopPlayback lists the videos with the most views in [from, to), at most
// limit, with their titles ("" once deleted).
func (c *Catalog) TopPlayback(ctx context.Context, from, to time.Time, limit int) ([]VideoPlayback, error) {
	r, err := c.q.query(ctx, c.rebind(`SELECT s.video_id, COALESCE(MAX(v.title), ''), CAST(SUM(s.views) AS BIGINT), CAST(SUM(s.watch_ms) AS BIGINT)
		FROM playback_stats s LEFT JOIN videos v ON v.id = s.video_id
		WHERE s.hour >= ? AND s.hour < ? GROUP BY s.video_id
		ORDER BY SUM(s.views) DESC, SUM(s.watch_ms) DESC, s.video_id LIMIT ?`), from.UnixMilli(), to.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("top playback: %w", err)
	}
	defer r.Close()
	out := []VideoPlayback{}
	for r.Next() {
		var v VideoPlayback
		if err := r.Scan(&v.VideoID, &v.Title, &v.Views, &v.WatchMS); err != nil {
			return nil, fmt.Errorf("top playback: %w", err)
		}
		out = append(out, v)
	}
	return out, r.Err()
}
