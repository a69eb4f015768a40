package pipeline

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/queue"
)

func (p *Pipeline) publish(ctx context.Context, job *river.Job[PublishArgs]) error {
	err := p.doPublish(ctx, job)
	return p.outcome(ctx, job.Args.Ref, stepPublish, job.JobRow, err)
}

// doPublish flips the video to ready in the transaction that completes the
// job, then drops the run's work files. The source upload is kept so a video
// can be reprocessed.
func (p *Pipeline) doPublish(ctx context.Context, job *river.Job[PublishArgs]) error {
	ref := job.Args.Ref
	if _, live, err := p.current(ctx, ref); err != nil || !live {
		return err
	}
	bytes := p.mediaBytes(ctx, ref)
	err := complete(ctx, p, job, func(tx *queue.Tx) error {
		if _, err := tx.Catalog.FinishStep(ctx, ref.VideoID, ref.Run, stepPublish); err != nil {
			return err
		}
		published, err := tx.Catalog.Publish(ctx, ref.VideoID, ref.Run)
		if err != nil || !published {
			return err
		}
		if err := tx.Catalog.SetMediaBytes(ctx, ref.VideoID, bytes); err != nil {
			return err
		}
		if err := p.queueDownloads(ctx, tx, ref.VideoID); err != nil {
			return err
		}
		return p.event(ctx, tx, EventVideoReady, ref.VideoID)
	})
	if err != nil {
		return err
	}
	logWith(p.log, ref).Info("published")
	// Captions or chapters changed while packaging ran were not in what it
	// wrote; the API only republishes ready videos.
	if err := p.RefreshText(ctx, ref.VideoID); err != nil {
		logWith(p.log, ref).Warn("captions not refreshed after publish", "err", err)
	}
	if err := p.store.DeletePrefix(ctx, workPrefix(ref.VideoID)); err != nil {
		logWith(p.log, ref).Warn("work cleanup failed", "err", err)
	}
	return nil
}

// mediaBytes is what the video's published media hold, which counts
// against its owner's storage quota: one listing per publish, so quota
// checks read a column instead of the store. A failed listing counts 0
// (logged); accounting does not fail a video.
func (p *Pipeline) mediaBytes(ctx context.Context, ref Ref) int64 {
	objects, err := p.store.List(ctx, mediaPrefix(ref.VideoID))
	if err != nil {
		logWith(p.log, ref).Warn("media size not recorded", "err", err)
		return 0
	}
	var n int64
	for _, o := range objects {
		n += o.Size
	}
	return n
}
