package catalog

import "context"

// SetDuration records the duration of what packaging produced, which is
// what viewers get; SavePlan stored what probing found, and a file's
// header may claim more or less than it holds.
func (c *Catalog) SetDuration(ctx context.Context, id string, run int, seconds float64) error {
	_, err := c.exec(ctx, `UPDATE videos SET duration = ?, updated_at = ? WHERE id = ? AND run = ?`,
		seconds, c.millis(), id, run)
	return err
}
