package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
)

func (p *Pipeline) encodeChunk(ctx context.Context, job *river.Job[ChunkArgs]) error {
	step := chunkStep(job.Args.Index)
	err := p.doEncodeChunk(ctx, job, step)
	return p.outcome(ctx, job.Args.Ref, step, job.JobRow, err)
}

// doEncodeChunk decodes one range of the source once and encodes it into
// every video rendition, then hands the pieces to the store.
func (p *Pipeline) doEncodeChunk(ctx context.Context, job *river.Job[ChunkArgs], step string) error {
	ref := job.Args.Ref
	plan, live, err := p.current(ctx, ref)
	if err != nil || !live {
		return err
	}
	if job.Args.Index >= len(plan.Chunks) {
		return fmt.Errorf("chunk %d is not in the plan", job.Args.Index)
	}
	chunk := plan.Chunks[job.Args.Index]
	dir, src, err := p.prepareChunk(ctx, job.ID, ref, plan, chunk)
	if err != nil {
		return err
	}
	defer removeAll(dir)
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	seconds := chunkSeconds(plan, chunk)
	defer p.forgetProgress(ref, step)
	log := logWith(p.log, ref).With("chunk", chunk.Index)
	started := time.Now()
	// How long the job waited in the queue (timeline of bench/ttp.sh).
	waited := started.Sub(job.ScheduledAt).Seconds()
	urgent := job.Queue == queue.QueueUrgent
	want, prioritized := wantedRendition(job.Metadata)
	if urgent && !prioritized.IsZero() {
		waited = started.Sub(prioritized).Seconds() // since a viewer asked
	}
	passes := chunkPasses(plan, chunk, urgent, want, filepath.Join(dir, "headers"))
	pub := chunkPublish{codecs: map[string]string{}, guessed: map[string]bool{}, inits: map[string][]byte{}}
	planned := chunk.Index == 0 && pub.plan(plan)
	var headers chunkHeaders
	for k, pass := range passes {
		pause := urgent && k == 0
		passCtx := ctx
		switch {
		case pause:
			// A viewer waits for this pass: the other encodes of this
			// worker stop meanwhile (SIGSTOP, see ffmpeg.Pauser), which is
			// cheap and keeps their leases, and go on after it.
			p.background.Pause()
		case !urgent:
			// Stops while a viewer waits for another chunk's pass here.
			passCtx = p.background.Context(ctx)
			if chunk.Index != 0 || k > 0 {
				// Nobody waits for it yet: the CPU goes first to what
				// viewers wait for that does not stop it (the first
				// chunk's first pass, of this video or another).
				passCtx = p.yield.Context(passCtx)
			}
		}
		if urgent {
			// Stops while this worker encodes a preview (preview.go) for
			// a newer request.
			passCtx = p.urgent.Context(ctx)
		}
		var frames int64
		encode := func(plan media.Plan, src string) error {
			err := p.ff.Run(passCtx, ffmpeg.ChunkPassArgs(plan, chunk, src, out, pass), func(pr ffmpeg.Progress) {
				frames = pr.Frame
				p.progress(ref, step, (float64(k)+pr.OutTime.Seconds()/seconds)/float64(len(passes)))
			})
			if err != nil {
				return fmt.Errorf("encode chunk %d: %w", chunk.Index, err)
			}
			return nil
		}
		passStarted := time.Now()
		if pass.HeaderDir != "" {
			// The other rungs' first frames in a process of their own,
			// beside this pass instead of in it: it reads only the first
			// frames, and the pass's rungs are out sooner.
			headersCtx := passCtx
			if planned {
				// Nobody waits for them but a viewer switching up later:
				// what a viewer waits for goes first. Not stopped by
				// previews, though: a viewer playing ahead of the chunks
				// keeps previews running for seconds, and a switch up
				// would wait for them.
				headersCtx = p.yield.Context(ctx)
			}
			headers = p.startHeaders(headersCtx, ref, plan, chunk, src, out, fmt.Sprintf("pkg%d-headers", k), pass)
			defer headers.stop() // before the scratch directory goes
			pass.HeaderDir = ""
		}
		if k == 0 && p.takeFirstPass(ctx, ref, job.Args.FirstPass, chunk, pass, plan, out) {
			// Encoded beside the probe (firstpass.go).
			frames = int64(chunk.Frames)
			encode = func(media.Plan, string) error { return nil }
		}
		err := func() error {
			if pause {
				defer p.background.Resume() // also on a panic River recovers: never leave the others stopped
			}
			if urgent || (chunk.Index == 0 && k == 0) {
				defer p.yield.Yield()() // a viewer waits for this pass
			}
			return encode(plan, src)
		}()
		if err != nil {
			return err
		}
		if len(plan.Pieces) > 0 && chunk.Frames > 0 && frames < int64(chunk.Frames) && plan.Pieces[chunk.Piece].End > 0 {
			// The piece stops at a keyframe after the chunk, so the source has
			// all its frames: the piece is wrong. Cost time, not frames.
			log.Warn("piece ran short; encoding the chunk from the whole source",
				"piece", chunk.Piece, "frames", frames, "want", chunk.Frames)
			plan.Pieces = nil // this pass and the next ones
			if src, err = p.sourcePath(ctx, ref); err != nil {
				return err
			}
			if err := encode(plan, src); err != nil {
				return err
			}
		}
		encoded := time.Now()
		if err := queue.CheckLease(ctx); err != nil { // presumed dead: the new attempt owns these keys
			return err
		}
		rungs := passRungs(plan, pass)
		if !planned {
			// The manifests wait for the other rungs' codecs, unless the
			// plan gives them all (pub.plan): then only the first pass's
			// rung holds up the first frame, and the headers only publish
			// init segments early, until the second pass has them all.
			headers.wait()
			headers.merge(&pub)
		}
		if err := p.publishChunk(ctx, ref, plan, chunk, out, fmt.Sprintf("pkg%d", k), rungs, &pub); err != nil {
			return err
		}
		if pub.manifests && !pub.playable {
			if err := p.setPlayable(ctx, ref); err != nil {
				return err
			}
			pub.playable = true
		}
		log.Info("chunk pass done", "pass", k+1, "of", len(passes), "rungs", renditionIDs(rungs),
			"queued_s", round2(waited), "encode_s", round2(encoded.Sub(passStarted).Seconds()),
			"publish_s", round2(time.Since(encoded).Seconds()), "urgent", urgent, "playable", pub.playable)
		waited = 0
	}
	p.encodeDone("video", seconds, started)
	for _, r := range plan.Video {
		if _, err := storage.PutFile(ctx, p.store, chunkKey(ref, r, chunk.Index), filepath.Join(out, ffmpeg.ChunkFile(r))); err != nil {
			return err
		}
	}
	tiles, err := filepath.Glob(filepath.Join(out, "tile_*.jpg"))
	if err != nil {
		return err
	}
	for _, tile := range tiles {
		if _, err := storage.PutFile(ctx, p.store, tilesPrefix(ref)+filepath.Base(tile), tile); err != nil {
			return err
		}
	}
	return finishParallel(ctx, p, job, ref, step)
}

// chunkHeaders is the encode and packaging of the first frames of the
// rungs a pass of the first chunk does not encode (startHeaders).
type chunkHeaders struct {
	done   chan struct{}
	cancel context.CancelFunc
	pub    chunkPublish
}

// startHeaders encodes the first frames of the rungs pass does not encode
// into pass.HeaderDir, beside pass, and packages and publishes them
// (publishHeaders) into out/pkgName. Failures are logged: the manifests
// then wait for the second pass.
func (p *Pipeline) startHeaders(ctx context.Context, ref Ref, plan media.Plan, c media.Chunk, src, out, pkgName string, pass ffmpeg.ChunkPass) chunkHeaders {
	h := chunkHeaders{done: make(chan struct{}), pub: chunkPublish{codecs: map[string]string{}, guessed: map[string]bool{}, inits: map[string][]byte{}}}
	ctx, h.cancel = context.WithCancel(ctx)
	var rungs []media.Rendition
	for i, r := range plan.Video {
		if !slices.Contains(pass.Rungs, i) {
			rungs = append(rungs, r)
		}
	}
	pass.HeadersOnly = true
	go func() {
		defer close(h.done)
		started := time.Now()
		err := os.MkdirAll(pass.HeaderDir, 0o750)
		if err == nil {
			err = p.ff.Run(ctx, ffmpeg.ChunkPassArgs(plan, c, src, out, pass), nil)
		}
		if err != nil {
			if ctx.Err() == nil {
				logWith(p.log, ref).Warn("first frames of the upper rungs not encoded; manifests wait for them", "err", err)
			}
			return
		}
		encoded := time.Now()
		p.publishHeaders(ctx, ref, plan, rungs, pass.HeaderDir, filepath.Join(out, pkgName), &h.pub)
		if ctx.Err() != nil {
			return // stopped: the passes published every rung
		}
		logWith(p.log, ref).Info("first frames of the upper rungs published", "encode_s", round2(encoded.Sub(started).Seconds()),
			"publish_s", round2(time.Since(encoded).Seconds()))
	}()
	return h
}

// wait returns once the headers are published or given up; at once when
// none were started.
func (h chunkHeaders) wait() {
	if h.done != nil {
		<-h.done
	}
}

// stop ends the headers if they still run (the chunk's passes have
// published every rung) and waits for them.
func (h chunkHeaders) stop() {
	if h.cancel != nil {
		h.cancel()
	}
	h.wait()
}

// merge adds what the headers published to pub; after wait. A codecs
// string pub has already (planned) stays: the manifests may carry it, and
// the pass that encodes the rung checks it against the real one.
func (h chunkHeaders) merge(pub *chunkPublish) {
	for id, c := range h.pub.codecs {
		if _, ok := pub.codecs[id]; !ok {
			pub.codecs[id], pub.guessed[id] = c, true
		}
	}
	maps.Copy(pub.inits, h.pub.inits)
}

// setPlayable marks the run playable (its first chunk's segments and the
// planned manifests are published) and tells Config.Events.
func (p *Pipeline) setPlayable(ctx context.Context, ref Ref) error {
	return p.queue.InTx(ctx, func(tx *queue.Tx) error {
		changed, err := tx.Catalog.SetPlayable(ctx, ref.VideoID, ref.Run)
		if err != nil || !changed {
			return err
		}
		logWith(p.log, ref).Info("playable")
		return p.event(ctx, tx, EventVideoPlayable, ref.VideoID)
	})
}

// backgroundNice is how many nice levels below kinema's own the work
// nobody waits for yet runs (chunk encodes in queue order, the audio
// encode, the poster) while work a viewer waits for runs (ffmpeg.Yielder).
const backgroundNice = 10

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func renditionIDs(rs []media.Rendition) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

func chunkSeconds(plan media.Plan, c media.Chunk) float64 {
	if c.Frames > 0 {
		return float64(c.Frames) * float64(plan.FPSDen) / float64(plan.FPSNum)
	}
	return max(plan.Duration-c.Start, 0.1)
}

func (p *Pipeline) encodeAudio(ctx context.Context, job *river.Job[AudioArgs]) error {
	err := p.doEncodeAudio(ctx, job)
	return p.outcome(ctx, job.Args.Ref, stepAudio, job.JobRow, err)
}

// doEncodeAudio encodes the whole audio track once per audio rendition,
// straight into CMAF segments: audio is cheap, so it is not chunked.
func (p *Pipeline) doEncodeAudio(ctx context.Context, job *river.Job[AudioArgs]) error {
	ref := job.Args.Ref
	plan, live, err := p.current(ctx, ref)
	if err != nil || !live {
		return err
	}
	p.publishEarlyAudio(ctx, ref, plan, job.Args.FirstSegments)
	dir, src, err := p.prepare(ctx, job.ID, ref)
	if err != nil {
		return err
	}
	defer removeAll(dir)
	out := filepath.Join(dir, "out")
	for _, r := range plan.Audio {
		if err := os.MkdirAll(filepath.Join(out, r.ID), 0o750); err != nil {
			return err
		}
	}
	defer p.forgetProgress(ref, stepAudio)
	started := time.Now()
	// Segments go out as they are written, for progressive playback.
	early, stopEarly := context.WithCancel(ctx)
	encoded := make(chan struct{})
	published := make(chan struct{})
	first := make(chan struct{})
	go func() {
		defer close(published)
		p.publishAudioSegments(early, ref, plan, out, encoded, first)
	}()
	// Once its first segments are out, previews stop it while they run
	// (preview.go): a viewer waits for them, and the encode is far ahead
	// of anyone playing from the start; and it yields (ffmpeg.Yielder), so
	// that it takes what the first chunk's first pass, which it starts
	// beside, leaves idle. Not before: the first frame waits for the
	// track's init segment as much as for that pass, and a reniced encode
	// beside other busy programs took 1.3-4.8 s to write it.
	audioCtx := ffmpeg.JoinAfter(p.yield.Context(p.urgent.Context(ctx)), first)
	err = p.ff.Run(audioCtx, ffmpeg.AudioArgs(plan, src, out), func(pr ffmpeg.Progress) {
		p.progress(ref, stepAudio, pr.OutTime.Seconds()/plan.Duration)
	})
	if err != nil {
		stopEarly()
	}
	close(encoded)
	<-published
	stopEarly()
	if err != nil {
		return fmt.Errorf("encode audio: %w", err)
	}
	p.encodeDone("audio", plan.Duration, started)
	if err := queue.CheckLease(ctx); err != nil { // presumed dead: the new attempt owns these keys
		return err
	}
	if err := storage.PutDir(ctx, p.store, audioPrefix(ref), out); err != nil {
		return err
	}
	return finishParallel(ctx, p, job, ref, stepAudio)
}

// prepare makes the job's scratch directory and a local path to the source.
func (p *Pipeline) prepare(ctx context.Context, jobID int64, ref Ref) (dir, src string, err error) {
	dir, err = p.scratch(jobID)
	if err != nil {
		return "", "", err
	}
	src, err = p.sourcePath(ctx, ref)
	if err != nil {
		removeAll(dir)
		return "", "", err
	}
	return dir, src, nil
}

// sourcePath returns a local path to the whole source, through the worker's
// source cache.
func (p *Pipeline) sourcePath(ctx context.Context, ref Ref) (string, error) {
	key, _, err := p.cat.Source(ctx, ref.VideoID)
	if err != nil {
		return "", err
	}
	return p.sources.fetch(ctx, p.cfg.RawStore, key)
}

// prepareChunk makes the job's scratch directory and a local path to what
// the chunk decodes: its piece of the source, or the whole source when the
// plan has no pieces.
func (p *Pipeline) prepareChunk(ctx context.Context, jobID int64, ref Ref, plan media.Plan, c media.Chunk) (dir, src string, err error) {
	if len(plan.Pieces) == 0 {
		return p.prepare(ctx, jobID, ref)
	}
	if c.Piece < 0 || c.Piece >= len(plan.Pieces) {
		return "", "", fmt.Errorf("chunk %d uses piece %d of %d", c.Index, c.Piece, len(plan.Pieces))
	}
	if dir, err = p.scratch(jobID); err != nil {
		return "", "", err
	}
	if src, err = p.fetchPiece(ctx, ref, c.Piece, dir); err != nil {
		removeAll(dir)
		return "", "", err
	}
	return dir, src, nil
}

// fetchPiece returns a local path to piece i, through the worker's piece
// cache (neighbouring chunks share a piece where keyframes are sparse),
// hard-linked into the job's directory dir so that another job evicting it
// from the cache cannot remove it before ffmpeg opens it.
func (p *Pipeline) fetchPiece(ctx context.Context, ref Ref, i int, dir string) (string, error) {
	path, err := p.pieces.fetchLinked(ctx, p.store, pieceKey(ref, i), filepath.Join(dir, "piece.mkv"))
	if err != nil {
		return "", fmt.Errorf("piece %d: %w", i, err)
	}
	return path, nil
}

// finishParallel completes a fan-out step; the last one enqueues packaging.
// When the run failed (or the video went) while the job worked, what it
// stored would outlive the run's cleanup, so the run's work files go again.
// also run in the completing transaction.
func finishParallel[T river.JobArgs](ctx context.Context, p *Pipeline, job *river.Job[T], ref Ref, step string, also ...func(tx *queue.Tx) error) error {
	if _, live, err := p.current(ctx, ref); err == nil && !live {
		prefixes := []string{runPrefix(ref)}
		// What the job published early (progressive.go) goes too, unless a
		// newer run of the video publishes there now.
		if _, run, status, err := p.cat.Plan(ctx, ref.VideoID); errors.Is(err, media.ErrNotFound) ||
			err == nil && run == ref.Run && status == media.StatusFailed {
			prefixes = append(prefixes, mediaPrefix(ref.VideoID))
		}
		for _, prefix := range prefixes {
			if err := p.store.DeletePrefix(ctx, prefix); err != nil {
				logWith(p.log, ref).Warn("cleanup failed", "prefix", prefix, "err", err)
			}
		}
	}
	return complete(ctx, p, job, func(tx *queue.Tx) error {
		for _, fn := range also {
			if err := fn(tx); err != nil {
				return err
			}
		}
		last, err := tx.Catalog.FinishParallelStep(ctx, ref.VideoID, ref.Run, step)
		if err != nil || !last {
			return err
		}
		return tx.Insert(ctx, river.InsertManyParams{Args: PackageArgs{ref}, InsertOpts: insertOpts(p.cfg.MaxAttempts)})
	})
}

func removeAll(dir string) { _ = os.RemoveAll(dir) }

func (p *Pipeline) encodeDone(kind string, mediaSeconds float64, started time.Time) {
	if p.cfg.EncodeDoneFunc != nil {
		p.cfg.EncodeDoneFunc(kind, mediaSeconds, time.Since(started).Seconds())
	}
}
