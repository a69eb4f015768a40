package pipeline

import (
	"context"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
)

// Storyboard tiles are this wide; players show them above the seek bar.
const storyboardTileWidth = 160

func (p *Pipeline) thumbnails(ctx context.Context, job *river.Job[ThumbnailsArgs]) error {
	err := p.doThumbnails(ctx, job)
	return p.outcome(ctx, job.Args.Ref, stepThumbnails, job.Attempt, job.MaxAttempts, err)
}

// doThumbnails writes poster.jpg, storyboard.jpg (a sprite sheet) and
// storyboard.vtt (cues pointing into the sprite with #xywh).
func (p *Pipeline) doThumbnails(ctx context.Context, job *river.Job[ThumbnailsArgs]) error {
	ref := job.Args.Ref
	plan, live, err := p.current(ctx, ref)
	if err != nil || !live || len(plan.Video) == 0 {
		return err
	}
	dir, src, err := p.prepare(ctx, job.ID, ref)
	if err != nil {
		return err
	}
	defer removeAll(dir)
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	top := plan.Video[0]
	posterAt := min(plan.Duration/2, 10)
	if err := p.ff.Run(ctx, ffmpeg.PosterArgs(src, posterAt, min(top.Width, 1280), filepath.Join(out, "poster.jpg")), nil); err != nil {
		return fmt.Errorf("poster: %w", err)
	}
	p.progress(ref, stepThumbnails, 0.3)
	interval, cols, rows := ffmpeg.StoryboardLayout(plan.Duration)
	defer p.forgetProgress(ref, stepThumbnails)
	err = p.ff.Run(ctx, ffmpeg.StoryboardArgs(src, interval, storyboardTileWidth, cols, rows, filepath.Join(out, "storyboard.jpg")),
		func(pr ffmpeg.Progress) { p.progress(ref, stepThumbnails, 0.3+0.7*pr.OutTime.Seconds()/plan.Duration) })
	if err != nil {
		return fmt.Errorf("storyboard: %w", err)
	}
	tileH, err := spriteTileHeight(filepath.Join(out, "storyboard.jpg"), rows)
	if err != nil {
		return err
	}
	vtt := ffmpeg.StoryboardVTT(plan.Duration, interval, storyboardTileWidth, tileH, cols, "storyboard.jpg")
	if err := os.WriteFile(filepath.Join(out, "storyboard.vtt"), []byte(vtt), 0o640); err != nil {
		return err
	}
	if err := storage.PutDir(ctx, p.store, thumbsPrefix(ref), out); err != nil {
		return err
	}
	return finishParallel(ctx, p, job, ref, stepThumbnails)
}

// spriteTileHeight reads the sprite's real size, so the cues match what
// ffmpeg's scaler decided rather than a recomputation of it.
func spriteTileHeight(path string, rows int) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	if err != nil {
		return 0, fmt.Errorf("storyboard sprite: %w", err)
	}
	return cfg.Height / max(rows, 1), nil
}
