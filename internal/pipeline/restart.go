package pipeline

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/queue"
)

// Restart starts a new run of a queued or processing video from its stored
// source (catalog.RestartRun). `kinema restore` uses it for the videos a
// backup caught mid-processing.
func (p *Pipeline) Restart(ctx context.Context, videoID string) error {
	return p.queue.InTx(ctx, func(tx *queue.Tx) error {
		run, err := tx.Catalog.RestartRun(ctx, videoID)
		if err != nil {
			return err
		}
		return tx.Insert(ctx, river.InsertManyParams{Args: ProbeArgs{Ref{videoID, run}}, InsertOpts: insertOpts(p.cfg.MaxAttempts)})
	})
}
