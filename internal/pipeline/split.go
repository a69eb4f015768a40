package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/riverqueue/river"
	"golang.org/x/sync/errgroup"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
)

// split cuts the source's video track at keyframes into the pieces the
// chunk jobs read (media.Plan.Pieces), stores them under the run's work
// prefix and returns the plan pointing at them, so that a chunk job
// downloads about its share of the source instead of all of it.
//
// The plan comes back unchanged when splitting gains nothing (one chunk; a
// source under Config.SplitMinBytes; a source the workers read in place
// from a local store, where a chunk job
// only reads what it decodes anyway; keyframes so sparse that every chunk
// would need the same piece) or when this source cannot be cut by time
// (packets without timestamps, a codec Matroska cannot hold, a piece that
// does not start where it should): the chunk jobs then read the whole
// source, as they always could.
func (p *Pipeline) split(ctx context.Context, job *river.Job[ProbeArgs], key, src string, plan media.Plan) (media.Plan, error) {
	ref := job.Args.Ref
	log := logWith(p.log, ref)
	// A sparse plan's frames are far apart and few: its chunks decode
	// little, and PieceSpans' slack assumes sources no denser than twice
	// the plan's rate.
	if p.cfg.SplitMinBytes < 0 || len(plan.Video) == 0 || len(plan.Chunks) < 2 || plan.Sparse {
		return plan, nil
	}
	if fi, err := os.Stat(src); err != nil || fi.Size() < p.cfg.SplitMinBytes {
		return plan, nil
	}
	if lp, ok := p.cfg.RawStore.(storage.LocalPather); ok {
		if _, ok := lp.LocalPath(key); ok {
			return plan, nil
		}
	}
	idx, err := p.ff.Keyframes(ctx, src)
	if err != nil {
		if ctx.Err() != nil {
			return plan, err
		}
		log.Warn("source not split; chunk jobs read all of it", "err", err)
		return plan, nil
	}
	kf := idx.Keyframes
	spans, use := plan.PieceSpans(kf)
	if len(spans) < 2 {
		log.Info("keyframes too sparse to split the source; chunk jobs read all of it", "keyframes", len(kf))
		return plan, nil
	}
	dir, err := p.scratch(job.ID)
	if err != nil {
		return plan, err
	}
	defer removeAll(dir)
	cuts, at := ffmpeg.SplitCuts(spans, kf)
	err = p.ff.Run(ctx, ffmpeg.SplitArgs(src, cuts, dir), func(pr ffmpeg.Progress) {
		p.progress(ref, stepProbe, 0.4+0.4*min(pr.OutTime.Seconds()/plan.Duration, 1))
	})
	if err != nil {
		if ctx.Err() != nil {
			return plan, err
		}
		log.Warn("source not split; chunk jobs read all of it", "err", err)
		return plan, nil
	}
	files := make([]string, len(spans))
	pieces := make([]media.Piece, len(spans))
	frame := float64(plan.FPSDen) / float64(plan.FPSNum)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, s := range spans {
		files[i] = ffmpeg.SplitFile(dir, at[i][0], at[i][1])
		g.Go(func() error {
			info, err := os.Stat(files[i])
			if err != nil {
				return err
			}
			want := idx.First
			if s.From > 0 {
				want = kf[s.From].Time
			}
			got, key, err := p.ff.FirstPacket(gctx, files[i])
			if err != nil {
				return err
			}
			// The muxer is told to keep the source's timestamps, so anything
			// beyond millisecond rounding means the cut or the timestamps
			// are not what the chunks expect.
			if (s.From > 0 && !key) || math.Abs(got-want) > frame/4 {
				return fmt.Errorf("piece %d starts at %.6f s (keyframe %t), not at %.6f s: %w", i, got, key, want, errBadPiece)
			}
			pieces[i] = media.Piece{Start: want, Offset: got - want, Size: info.Size()}
			if s.To < len(kf) {
				pieces[i].End = kf[s.To].Time
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return plan, err
		}
		log.Warn("source not split; chunk jobs read all of it", "err", err)
		return plan, nil
	}
	// Store errors are worth a retry of the probe job, unlike the above.
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(8)
	var total, largest int64
	for i := range pieces {
		total += pieces[i].Size
		largest = max(largest, pieces[i].Size)
		g.Go(func() error {
			_, err := storage.PutFile(gctx, p.store, pieceKey(ref, i), files[i])
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return plan, fmt.Errorf("store pieces: %w", err)
	}
	plan.Pieces = pieces
	for i := range plan.Chunks {
		plan.Chunks[i].Piece = use[i]
	}
	log.Info("source split at keyframes", "pieces", len(pieces), "chunks", len(plan.Chunks),
		"keyframes", len(kf), "bytes", total, "largest", largest)
	return plan, nil
}

var errBadPiece = errors.New("piece does not match the keyframe index")
