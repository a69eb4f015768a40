package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kinema/kinema/internal/media"
)

const liveRestreamColumns = `id, stream_id, name, url, status, error, created_at, updated_at`

// AddLiveRestream stores a new restream destination (its id chosen by the
// caller) unless its stream has limit destinations already (media.ErrLimit;
// 0: no limit). The count and the insert share one transaction, with the
// stream's row locked on PostgreSQL, so two requests at once cannot both
// take the last place.
func (c *Catalog) AddLiveRestream(ctx context.Context, d media.LiveRestream, limit int) error {
	if d.Status == "" {
		d.Status = media.RestreamIdle
	}
	err := c.inTx(ctx, func(tc *Catalog) error {
		lock := `SELECT id FROM live_streams WHERE id = ?`
		if tc.postgres {
			lock += ` FOR UPDATE` // SQLite's write transactions are serial already
		}
		if err := tc.queryRow(ctx, lock, []any{d.StreamID}, new(string)); err != nil {
			if isNoRows(err) {
				return fmt.Errorf("live stream %s: %w", d.StreamID, media.ErrNotFound)
			}
			return err
		}
		if limit > 0 {
			var n int
			if err := tc.queryRow(ctx, `SELECT COUNT(*) FROM live_restreams WHERE stream_id = ?`, []any{d.StreamID}, &n); err != nil {
				return err
			}
			if n >= limit {
				return fmt.Errorf("live stream %s has %d restream destinations: %w", d.StreamID, n, media.ErrLimit)
			}
		}
		_, err := tc.exec(ctx, `INSERT INTO live_restreams (`+liveRestreamColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.StreamID, d.Name, d.URL, string(d.Status), d.Error, timeMillis(d.CreatedAt), timeMillis(d.UpdatedAt))
		return err
	})
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("live restream %s: %w", d.ID, media.ErrConflict)
	case errors.Is(err, media.ErrLimit), errors.Is(err, media.ErrNotFound):
		return err
	case err != nil:
		return fmt.Errorf("add live restream: %w", err)
	}
	return nil
}

// LiveRestreams lists a stream's destinations, oldest first.
func (c *Catalog) LiveRestreams(ctx context.Context, streamID string) ([]media.LiveRestream, error) {
	rs, err := c.q.query(ctx, c.rebind(`SELECT `+liveRestreamColumns+` FROM live_restreams WHERE stream_id = ? ORDER BY created_at, id`), streamID)
	if err != nil {
		return nil, fmt.Errorf("list live restreams: %w", err)
	}
	defer rs.Close()
	out := []media.LiveRestream{}
	for rs.Next() {
		var d media.LiveRestream
		var status string
		var created, updated int64
		if err := rs.Scan(&d.ID, &d.StreamID, &d.Name, &d.URL, &status, &d.Error, &created, &updated); err != nil {
			return nil, fmt.Errorf("list live restreams: %w", err)
		}
		d.Status, d.CreatedAt, d.UpdatedAt = media.RestreamStatus(status), millisOrZero(created), millisOrZero(updated)
		out = append(out, d)
	}
	return out, rs.Err()
}

// DeleteLiveRestream removes destination id of stream streamID; an unknown
// pair is media.ErrNotFound.
func (c *Catalog) DeleteLiveRestream(ctx context.Context, streamID, id string) error {
	n, err := c.exec(ctx, `DELETE FROM live_restreams WHERE stream_id = ? AND id = ?`, streamID, id)
	if err != nil {
		return fmt.Errorf("delete live restream: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("live restream %s: %w", id, media.ErrNotFound)
	}
	return nil
}

// SetLiveRestreamStatus records what the ingest node sees of destination
// id. A destination deleted meanwhile is not an error.
func (c *Catalog) SetLiveRestreamStatus(ctx context.Context, id string, status media.RestreamStatus, errText string, at time.Time) error {
	if _, err := c.exec(ctx, `UPDATE live_restreams SET status = ?, error = ?, updated_at = ? WHERE id = ?`,
		string(status), errText, timeMillis(at), id); err != nil {
		return fmt.Errorf("set live restream status: %w", err)
	}
	return nil
}

// DeleteLiveStream removes a stream and its restream destinations; an
// unknown id is media.ErrNotFound. Its recording (a video) is not touched.
func (c *Catalog) DeleteLiveStream(ctx context.Context, id string) error {
	return c.inTx(ctx, func(tc *Catalog) error {
		if _, err := tc.exec(ctx, `DELETE FROM live_restreams WHERE stream_id = ?`, id); err != nil {
			return fmt.Errorf("delete live stream: %w", err)
		}
		n, err := tc.exec(ctx, `DELETE FROM live_streams WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete live stream: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("live stream %s: %w", id, media.ErrNotFound)
		}
		return nil
	})
}
