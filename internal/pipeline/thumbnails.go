package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
)

func (p *Pipeline) thumbnails(ctx context.Context, job *river.Job[ThumbnailsArgs]) error {
	err := p.doThumbnails(ctx, job)
	return p.outcome(ctx, job.Args.Ref, stepThumbnails, job.JobRow, err)
}

// doThumbnails writes poster.jpg, from the piece of the source that holds
// the poster frame when the source was split. (Storyboard tiles come from
// the chunk encodes, which decode those frames anyway; package joins them.)
func (p *Pipeline) doThumbnails(ctx context.Context, job *river.Job[ThumbnailsArgs]) error {
	ref := job.Args.Ref
	plan, live, err := p.current(ctx, ref)
	if err != nil || !live || len(plan.Video) == 0 {
		return err
	}
	top := plan.Video[0]
	posterAt := min(plan.Duration/2, 10)
	var dir, src string
	var c media.Chunk // the chunk the poster frame falls in: its piece holds it
	split := len(plan.Pieces) > 0
	if split {
		for _, ch := range plan.Chunks {
			if ch.Start <= posterAt {
				c = ch
			}
		}
		dir, src, err = p.prepareChunk(ctx, job.ID, ref, plan, c)
	} else {
		dir, src, err = p.prepare(ctx, job.ID, ref)
	}
	if err != nil {
		return err
	}
	defer removeAll(dir)
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	poster, width := filepath.Join(out, "poster.jpg"), min(top.Width, 1280)
	args := ffmpeg.PosterArgs(src, posterAt, width, poster)
	if split {
		args = ffmpeg.PosterFromPieceArgs(src, plan.Pieces[c.Piece].Offset, posterAt, width, poster)
	}
	// Yields: it starts beside the first chunk's first pass, which the
	// video's first frame waits for; nobody waits for the poster.
	if err := p.ff.Run(p.yield.Context(ctx), args, nil); err != nil {
		return fmt.Errorf("poster: %w", err)
	}
	if err := queue.CheckLease(ctx); err != nil { // presumed dead: the new attempt owns these keys
		return err
	}
	if err := storage.PutDir(ctx, p.store, thumbsPrefix(ref), out); err != nil {
		return err
	}
	return finishParallel(ctx, p, job, ref, stepThumbnails)
}
