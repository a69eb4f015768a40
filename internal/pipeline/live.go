package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
)

// LiveTrack is one rendition a live broadcast already encoded: its CMAF
// init segment and every media segment, in order.
type LiveTrack struct {
	Rendition media.Rendition
	Init      string
	Segments  []string
}

// StartFromLive makes a new video (status waiting_upload, source already
// stored under sourceKey) out of a live broadcast's renditions without
// encoding anything again: the live ladder becomes the VOD ladder. Each
// video rendition is remuxed into the chunk packaging reads, the audio
// straight into its packaged form; the run then only renders the poster,
// packages (remux) and publishes, so the video is ready seconds after the
// broadcast. A later Retry processes the source like any upload.
func (p *Pipeline) StartFromLive(ctx context.Context, videoID, sourceKey string, size int64, tracks []LiveTrack, segmentSeconds float64) error {
	if len(tracks) == 0 {
		return fmt.Errorf("live recording of %s has no renditions", videoID)
	}
	dir, err := os.MkdirTemp(p.cfg.ScratchDir, "live-")
	if err != nil {
		if err := os.MkdirAll(p.cfg.ScratchDir, 0o750); err != nil {
			return err
		}
		if dir, err = os.MkdirTemp(p.cfg.ScratchDir, "live-"); err != nil {
			return err
		}
	}
	defer removeAll(dir)
	// A new video's first run is 1 (StartRun below checks it), so its work
	// keys are known before the run starts and the jobs never see them
	// missing.
	ref := Ref{VideoID: videoID, Run: 1}
	plan := media.Plan{Kind: media.KindAudio, SegmentSeconds: segmentSeconds, Chunks: []media.Chunk{{Index: 0}}}
	var src media.Source
	audioDir := filepath.Join(dir, "audio")
	for _, t := range tracks {
		r := t.Rendition
		joined := filepath.Join(dir, r.ID+".mp4")
		if err := joinFiles(joined, append([]string{t.Init}, t.Segments...)); err != nil {
			return err
		}
		if r.Type == media.KindVideo {
			if len(plan.Video) == 0 {
				s, err := p.ff.Probe(ctx, joined)
				if err != nil {
					return fmt.Errorf("live recording %s: %w", r.ID, err)
				}
				src = s
				plan.Kind, plan.Duration, plan.FPSNum, plan.FPSDen = media.KindVideo, s.Duration, s.FPSNum, s.FPSDen
				if s.FPSDen > 0 {
					plan.GOPFrames = int(segmentSeconds*float64(s.FPSNum)/float64(s.FPSDen) + 0.5)
				}
			}
			ts := filepath.Join(dir, r.ID+".ts")
			if err := p.ff.Run(ctx, ffmpeg.LiveVideoChunkArgs(joined, ts), nil); err != nil {
				return fmt.Errorf("live recording %s: %w", r.ID, err)
			}
			if _, err := storage.PutFile(ctx, p.store, chunkKey(ref, r, 0), ts); err != nil {
				return err
			}
			plan.Video = append(plan.Video, r)
			continue
		}
		if err := os.MkdirAll(filepath.Join(audioDir, r.ID), 0o750); err != nil {
			return err
		}
		if err := p.ff.Run(ctx, ffmpeg.LiveAudioArgs(joined, segmentSeconds, filepath.Join(audioDir, r.ID)), nil); err != nil {
			return fmt.Errorf("live recording %s: %w", r.ID, err)
		}
		if len(plan.Video) == 0 && plan.Duration == 0 {
			s, err := p.ff.Probe(ctx, joined)
			if err != nil {
				return fmt.Errorf("live recording %s: %w", r.ID, err)
			}
			src, plan.Duration = s, s.Duration
		}
		plan.Audio = append(plan.Audio, r)
	}
	if len(plan.Audio) > 0 {
		if err := storage.PutDir(ctx, p.store, audioPrefix(ref), audioDir); err != nil {
			return err
		}
	}
	src.HasVideo, src.HasAudio = len(plan.Video) > 0, len(plan.Audio) > 0
	src.Size = size
	var steps []catalog.Step
	pending := 0
	if len(plan.Video) > 0 {
		steps, pending = append(steps, catalog.Step{Name: stepThumbnails, Weight: 0.3}), 1
	}
	steps = append(steps,
		catalog.Step{Name: stepPackage, Weight: plan.Duration*0.02 + 0.5},
		catalog.Step{Name: stepPublish, Weight: 0.2})
	return p.queue.InTx(ctx, func(tx *queue.Tx) error {
		run, err := tx.Catalog.StartRun(ctx, videoID, sourceKey, size)
		if err != nil {
			return err
		}
		if run != ref.Run {
			return fmt.Errorf("live recording %s: run %d, want a new video: %w", videoID, run, media.ErrConflict)
		}
		if ok, err := tx.Catalog.BeginProcessing(ctx, videoID, run); err != nil || !ok {
			return fmt.Errorf("live recording %s: begin processing: %w", videoID, orConflict(err))
		}
		if err := tx.Catalog.SavePlan(ctx, videoID, run, src, plan, steps, pending); err != nil {
			return err
		}
		if _, err := tx.Catalog.FinishStep(ctx, videoID, run, stepProbe); err != nil {
			return err
		}
		var next river.JobArgs = PackageArgs{ref}
		if pending > 0 {
			next = ThumbnailsArgs{ref}
		}
		if err := tx.Insert(ctx, river.InsertManyParams{Args: next, InsertOpts: insertOpts(p.cfg.MaxAttempts)}); err != nil {
			return err
		}
		return p.event(ctx, tx, EventUploadCompleted, videoID)
	})
}

func orConflict(err error) error {
	if err != nil {
		return err
	}
	return media.ErrConflict
}

// joinFiles writes the files one after the other into dst: a CMAF init
// segment followed by its media segments is one fragmented MP4.
func joinFiles(dst string, files []string) error {
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return out.Close()
}
