package catalog

import (
	"context"
	"fmt"
	"time"
)

// ProcessedSeconds sums the duration of the owner's videos whose
// processing started within the last period, except video except (the one
// being checked, so that reprocessing it does not count it twice).
func (c *Catalog) ProcessedSeconds(ctx context.Context, owner string, period time.Duration, except string) (float64, error) {
	since := c.now().Add(-period).UnixMilli()
	var seconds float64
	err := c.queryRow(ctx, `SELECT COALESCE(SUM(duration), 0) FROM videos
		WHERE owner_id = ? AND id <> ? AND processing_started_at >= ?`,
		[]any{owner, except, since}, &seconds)
	if err != nil {
		return 0, fmt.Errorf("processed seconds of %s: %w", owner, err)
	}
	return seconds, nil
}
