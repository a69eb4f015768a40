package catalog

import (
	"context"
	"fmt"
	"time"
)

// ThroughputBucket is what finished processing within one bucket of time:
// the videos that became ready in it, the media length they hold and the
// wall time from each one's first job to ready (queue waits included).
type ThroughputBucket struct {
	Start             time.Time `json:"start"`
	Videos            int64     `json:"videos"`
	MediaSeconds      float64   `json:"media_seconds"`
	ProcessingSeconds float64   `json:"processing_seconds"`
}

// Throughput sums the videos that became ready since since, in buckets of
// bucket (aligned on the epoch), oldest first; buckets with nothing are
// left out. Deleted videos are no longer counted.
func (c *Catalog) Throughput(ctx context.Context, since time.Time, bucket time.Duration) ([]ThroughputBucket, error) {
	ms := bucket.Milliseconds()
	if ms <= 0 {
		return nil, fmt.Errorf("throughput bucket %s: too short", bucket)
	}
	r, err := c.q.query(ctx, c.rebind(`SELECT (ready_at / ?) * ?, COUNT(*), COALESCE(SUM(duration), 0),
		CAST(COALESCE(SUM(ready_at - processing_started_at), 0) AS BIGINT)
		FROM videos WHERE ready_at >= ? AND processing_started_at IS NOT NULL
		GROUP BY 1 ORDER BY 1`), ms, ms, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("throughput: %w", err)
	}
	defer r.Close()
	var out []ThroughputBucket
	for r.Next() {
		var (
			b       ThroughputBucket
			start   int64
			spentMS int64
		)
		if err := r.Scan(&start, &b.Videos, &b.MediaSeconds, &spentMS); err != nil {
			return nil, fmt.Errorf("throughput: %w", err)
		}
		b.Start = time.UnixMilli(start).UTC()
		b.ProcessingSeconds = float64(spentMS) / 1000
		out = append(out, b)
	}
	return out, r.Err()
}

// StorageSummary is what the catalog knows the store holds, without
// listing it: every video's source and published media sizes, summed over
// all videos, per owner, and the largest videos.
type StorageSummary struct {
	Videos      int64 `json:"videos"`
	SourceBytes int64 `json:"source_bytes"`
	MediaBytes  int64 `json:"media_bytes"`
	// Owners are every owner of a video, most bytes first.
	Owners []OwnerStorage `json:"owners"`
	// Largest are the largest videos, most bytes first.
	Largest []VideoStorage `json:"largest"`
	// DownloadIDs are the videos that offer downloads (their files sit
	// under media/<id>/download/ and are not in MediaBytes).
	DownloadIDs []string `json:"-"`
}

// OwnerStorage is one owner's share of the store.
type OwnerStorage struct {
	OwnerID     string `json:"owner_id"`
	Email       string `json:"email,omitempty"` // "" for an owner that is no user (an API key)
	Videos      int64  `json:"videos"`
	SourceBytes int64  `json:"source_bytes"`
	MediaBytes  int64  `json:"media_bytes"`
}

// VideoStorage is one video's share of the store.
type VideoStorage struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	OwnerID     string `json:"owner_id"`
	SourceBytes int64  `json:"source_bytes"`
	MediaBytes  int64  `json:"media_bytes"`
}

// Storage sums what the catalog records of stored bytes; largest bounds
// the list of largest videos.
func (c *Catalog) Storage(ctx context.Context, largest int) (StorageSummary, error) {
	var s StorageSummary
	err := c.queryRow(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(source_size), 0) AS BIGINT), CAST(COALESCE(SUM(media_bytes), 0) AS BIGINT) FROM videos`,
		nil, &s.Videos, &s.SourceBytes, &s.MediaBytes)
	if err != nil {
		return s, fmt.Errorf("storage: %w", err)
	}
	if s.Owners, err = c.ownerStorage(ctx); err != nil {
		return s, err
	}
	if s.Largest, err = c.largestVideos(ctx, largest); err != nil {
		return s, err
	}
	s.DownloadIDs, err = c.downloadIDs(ctx)
	return s, err
}

func (c *Catalog) ownerStorage(ctx context.Context) ([]OwnerStorage, error) {
	r, err := c.q.query(ctx, c.rebind(`SELECT v.owner_id, COALESCE(MAX(u.email), ''), COUNT(*),
		CAST(SUM(v.source_size) AS BIGINT), CAST(SUM(v.media_bytes) AS BIGINT)
		FROM videos v LEFT JOIN users u ON u.id = v.owner_id
		GROUP BY v.owner_id ORDER BY SUM(v.source_size + v.media_bytes) DESC, v.owner_id`))
	if err != nil {
		return nil, fmt.Errorf("storage per owner: %w", err)
	}
	defer r.Close()
	var out []OwnerStorage
	for r.Next() {
		var o OwnerStorage
		if err := r.Scan(&o.OwnerID, &o.Email, &o.Videos, &o.SourceBytes, &o.MediaBytes); err != nil {
			return nil, fmt.Errorf("storage per owner: %w", err)
		}
		out = append(out, o)
	}
	return out, r.Err()
}

func (c *Catalog) largestVideos(ctx context.Context, limit int) ([]VideoStorage, error) {
	r, err := c.q.query(ctx, c.rebind(`SELECT id, title, owner_id, source_size, media_bytes FROM videos
		WHERE source_size + media_bytes > 0 ORDER BY source_size + media_bytes DESC, id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("largest videos: %w", err)
	}
	defer r.Close()
	var out []VideoStorage
	for r.Next() {
		var v VideoStorage
		if err := r.Scan(&v.ID, &v.Title, &v.OwnerID, &v.SourceBytes, &v.MediaBytes); err != nil {
			return nil, fmt.Errorf("largest videos: %w", err)
		}
		out = append(out, v)
	}
	return out, r.Err()
}

func (c *Catalog) downloadIDs(ctx context.Context) ([]string, error) {
	r, err := c.q.query(ctx, c.rebind(`SELECT id FROM videos WHERE downloads <> '' ORDER BY id`))
	if err != nil {
		return nil, fmt.Errorf("videos with downloads: %w", err)
	}
	defer r.Close()
	var out []string
	for r.Next() {
		var id string
		if err := r.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, r.Err()
}
