package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// AbandonedUploads returns up to limit videos still waiting for their upload
// that were created before createdBefore, oldest first.
func (c *Catalog) AbandonedUploads(ctx context.Context, createdBefore time.Time, limit int) ([]string, error) {
	rs, err := c.q.query(ctx, c.rebind(fmt.Sprintf(`SELECT id FROM videos WHERE status = ? AND created_at < ?
		ORDER BY created_at LIMIT %d`, max(limit, 1))), media.StatusWaitingUpload, createdBefore.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("abandoned uploads: %w", err)
	}
	defer rs.Close()
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("abandoned uploads: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rs.Err()
}

// DeleteAbandonedVideo deletes id only if it is still waiting for its upload
// and was created before createdBefore, so an upload completing at the same
// moment wins. It reports whether the video was deleted.
func (c *Catalog) DeleteAbandonedVideo(ctx context.Context, id string, createdBefore time.Time) (bool, error) {
	n, err := c.exec(ctx, `DELETE FROM videos WHERE id = ? AND status = ? AND created_at < ?`,
		id, media.StatusWaitingUpload, createdBefore.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("delete abandoned video %s: %w", id, err)
	}
	return n == 1, nil
}
