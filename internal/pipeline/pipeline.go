package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
)

// Config holds the pipeline's knobs.
type Config struct {
	Ladder      media.LadderConfig
	Limits      media.Limits
	ScratchDir  string // local space for one job's files, removed when it ends
	MaxAttempts int    // per job, before the video fails
	// RawStore holds uploaded sources; nil means the media store.
	RawStore storage.Store
	// SplitMinBytes: sources at least this big are cut at keyframes by
	// probe so each chunk job fetches only its piece; smaller ones are read
	// whole by each worker, which costs less than the serial cut (measured:
	// 6 s of probe for a 93 MB source). 0 splits every source; a negative
	// value none (also a way out should some source split badly).
	SplitMinBytes int64
	// EncodeDoneFunc, when set, is told how many seconds of media an encode
	// job turned out in how many seconds of wall time (metrics).
	EncodeDoneFunc func(kind string, mediaSeconds, wallSeconds float64)
	// Events, when set, is told of upload.completed, video.playable,
	// video.ready and video.failed inside the transaction that makes the change, so an
	// event exists exactly when the change commits (webhooks). Only
	// tx.Catalog may be used in it.
	Events func(ctx context.Context, tx *queue.Tx, event string, v media.Video) error
}

// Events passed to Config.Events.
const (
	EventUploadCompleted = "upload.completed"
	EventVideoReady      = "video.ready"
	EventVideoPlayable   = "video.playable"
	EventVideoFailed     = "video.failed"
)

// Pipeline implements the jobs. It holds no per-video state: everything a
// job needs is in its args, the catalog and the store.
type Pipeline struct {
	queue *queue.Queue // set by UseQueue: River needs the workers first
	cat   *catalog.Catalog
	store storage.Store
	ff    *ffmpeg.Runner
	cfg   Config
	log   *slog.Logger

	sources *sourceCache // whole sources, for probe and audio
	pieces  *sourceCache // pieces of sources, for chunk jobs

	progressMu   sync.Mutex
	lastProgress map[string]time.Time

	textMu sync.Mutex // one RefreshText at a time in this process

	// background stops this process's queued-order chunk encodes while
	// it encodes the first pass of a chunk a viewer waits for (urgent).
	background *ffmpeg.Pauser
	// urgent stops this process's urgent chunk encodes and audio encodes
	// while it encodes a preview (preview.go): the newest request of a
	// viewer goes first.
	urgent *ffmpeg.Pauser
	// yield renices this process's encodes nobody waits for yet while it
	// encodes what a viewer waits for (the first chunk's first pass, an
	// urgent chunk).
	yield *ffmpeg.Yielder
	// previews are the previews this process encodes (preview.go).
	previews previewStack
}

// New returns a Pipeline; call Register to attach its workers to River.
func New(cat *catalog.Catalog, store storage.Store, ff *ffmpeg.Runner, cfg Config, log *slog.Logger) *Pipeline {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.RawStore == nil {
		cfg.RawStore = store
	}
	return &Pipeline{cat: cat, store: store, ff: ff, cfg: cfg, log: log, lastProgress: map[string]time.Time{},
		background: ffmpeg.NewPauser(), urgent: ffmpeg.NewPauser(), yield: ffmpeg.NewYielder(backgroundNice),
		sources: &sourceCache{dir: filepath.Join(cfg.ScratchDir, "sources"), keep: 3, log: log},
		// Chunks share a piece only where keyframes are sparse, and then
		// they are neighbours, usually run one after another.
		pieces: &sourceCache{dir: filepath.Join(cfg.ScratchDir, "pieces"), keep: 4, log: log}}
}

// Register adds one worker per job kind.
func (p *Pipeline) Register(w *river.Workers) {
	river.AddWorker(w, guard(p, p.probe))
	river.AddWorker(w, guard(p, p.encodeChunk))
	river.AddWorker(w, guard(p, p.encodeAudio))
	river.AddWorker(w, guard(p, p.thumbnails))
	river.AddWorker(w, guard(p, p.packageRun))
	river.AddWorker(w, guard(p, p.publish))
	river.AddWorker(w, river.WorkFunc(p.preview))
	river.AddWorker(w, river.WorkFunc(p.downloads))
	river.AddWorker(w, river.WorkFunc(p.addAudio))
}

// UseQueue connects the pipeline to the queue its workers were registered on.
func (p *Pipeline) UseQueue(q *queue.Queue) { p.queue = q }

// Start marks an upload complete and enqueues its probe job in the same
// transaction. It fails with media.ErrConflict when the video's upload had
// already completed, which makes upload URLs single-use.
func (p *Pipeline) Start(ctx context.Context, videoID, sourceKey string, size int64) error {
	return p.queue.InTx(ctx, func(tx *queue.Tx) error {
		run, err := tx.Catalog.StartRun(ctx, videoID, sourceKey, size)
		if err != nil {
			return err
		}
		if err := tx.Insert(ctx, river.InsertManyParams{Args: ProbeArgs{Ref{videoID, run}}, InsertOpts: insertOpts(p.cfg.MaxAttempts)}); err != nil {
			return err
		}
		return p.event(ctx, tx, EventUploadCompleted, videoID)
	})
}

// event tells Config.Events about videoID, loaded in tx after the change.
func (p *Pipeline) event(ctx context.Context, tx *queue.Tx, event, videoID string) error {
	if p.cfg.Events == nil {
		return nil
	}
	v, err := tx.Catalog.Video(ctx, videoID)
	if err != nil {
		return err
	}
	return p.cfg.Events(ctx, tx, event, v)
}

// Retry starts a new run of a failed video from its stored source.
func (p *Pipeline) Retry(ctx context.Context, videoID string) error {
	return p.queue.InTx(ctx, func(tx *queue.Tx) error {
		run, err := tx.Catalog.Requeue(ctx, videoID)
		if err != nil {
			return err
		}
		return tx.Insert(ctx, river.InsertManyParams{Args: ProbeArgs{Ref{videoID, run}}, InsertOpts: insertOpts(p.cfg.MaxAttempts)})
	})
}

// CleanScratch removes leftovers of jobs that died with the process.
func (p *Pipeline) CleanScratch() error {
	if err := os.RemoveAll(p.cfg.ScratchDir); err != nil {
		return err
	}
	return os.MkdirAll(p.cfg.ScratchDir, 0o750)
}

// scratch makes a fresh directory for one job attempt.
func (p *Pipeline) scratch(jobID int64) (string, error) {
	dir := filepath.Join(p.cfg.ScratchDir, "job-"+strconv.FormatInt(jobID, 10))
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o750)
}

// complete runs fn and marks the job completed in one transaction, so the
// catalog change and the next jobs exist exactly when this job is done.
// Inside fn only tx.Catalog may be used (SQLite has one connection).
func complete[T river.JobArgs](ctx context.Context, p *Pipeline, job *river.Job[T], fn func(tx *queue.Tx) error) error {
	return p.queue.InTx(ctx, func(tx *queue.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Complete(ctx, job.JobRow)
	})
}

// current loads the plan and reports whether ref is still the live run of a
// processing video; stale jobs complete without doing anything.
func (p *Pipeline) current(ctx context.Context, ref Ref) (media.Plan, bool, error) {
	plan, run, status, err := p.cat.Plan(ctx, ref.VideoID)
	if errors.Is(err, media.ErrNotFound) {
		return plan, false, nil // deleted while queued
	}
	if err != nil {
		return plan, false, err
	}
	return plan, run == ref.Run && status == media.StatusProcessing, nil
}

// progress records step progress, at most twice a second per step.
func (p *Pipeline) progress(ref Ref, step string, frac float64) {
	key := fmt.Sprintf("%s/%d/%s", ref.VideoID, ref.Run, step)
	p.progressMu.Lock()
	if time.Since(p.lastProgress[key]) < 500*time.Millisecond {
		p.progressMu.Unlock()
		return
	}
	p.lastProgress[key] = time.Now()
	p.progressMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.cat.SetStepProgress(ctx, ref.VideoID, ref.Run, step, frac); err != nil {
		p.log.Warn("progress update failed", "video", ref.VideoID, "step", step, "err", err)
	}
}

func (p *Pipeline) forgetProgress(ref Ref, step string) {
	p.progressMu.Lock()
	delete(p.lastProgress, fmt.Sprintf("%s/%d/%s", ref.VideoID, ref.Run, step))
	p.progressMu.Unlock()
}

// outcome turns a job error into River's outcome: input errors fail the video
// at once, shutdown snoozes the job for the next start, an unreachable store
// or database snoozes it with backoff (transient.go), other errors retry and
// fail the video on the last attempt.
func (p *Pipeline) outcome(ctx context.Context, ref Ref, step string, job *rivertype.JobRow, err error) error {
	if err == nil {
		return nil
	}
	attempt, maxAttempts := job.Attempt, job.MaxAttempts
	log := p.log.With("video", ref.VideoID, "run", ref.Run, "step", step, "job", job.ID, "attempt", attempt)
	if errors.Is(err, queue.ErrLeaseLost) || queue.CheckLease(ctx) != nil {
		// Another worker runs this job now (River then ignores this outcome),
		// or may soon: what this attempt did is dropped, and it must cost
		// neither an attempt nor the video.
		log.Warn("job handed to another worker; this attempt's result is dropped")
		return river.JobSnooze(time.Second)
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		log.Info("job interrupted by shutdown; it will run again")
		return river.JobSnooze(time.Second)
	}
	var mem *ffmpeg.MemoryLimitError
	if errors.As(err, &mem) && attempt < min(2, maxAttempts) {
		// Some of what marks a process as over its ceiling (ENOMEM, EAGAIN,
		// a crash) can also come from a host short of memory for a moment:
		// one more try before the file is blamed for good.
		log.Warn("over the memory ceiling; one more try before blaming the file", "err", err)
		return err
	}
	var in *media.InputError
	if errors.As(err, &in) {
		log.Info("input rejected", "reason", in.Reason)
		p.failRun(ref, in.Reason, !in.Later)
		return river.JobCancel(err)
	}
	var exit *ffmpeg.ExitError
	if errors.As(err, &exit) && exit.Input { // ffmpeg blames the file: retrying cannot help
		log.Info("input rejected by ffmpeg", "err", err)
		p.failRun(ref, "The file could not be decoded: "+exit.Hint, true)
		return river.JobCancel(err)
	}
	if ctx.Err() == nil && transient(err) {
		if n := snoozes(job); transientWaited(n) < transientBudget {
			delay := transientDelay(n)
			log.Warn("infrastructure unavailable; job waits and runs again without using an attempt",
				"err", err, "snoozes", n, "delay", delay)
			return river.JobSnooze(delay)
		}
		log.Warn("infrastructure still unavailable after the wait budget; counting attempts", "err", err)
	}
	if attempt >= maxAttempts {
		log.Error("job failed for good", "err", err)
		p.failRun(ref, failureReason(step, attempt, err), false)
		return river.JobCancel(err)
	}
	log.Warn("job failed; will retry", "err", err)
	return err
}

// failRun marks the run failed and removes everything it produced, so
// nothing of a failed video is half-published. final: the file itself is
// at fault, and the video cannot be retried.
func (p *Pipeline) failRun(ref Ref, reason string, final bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	failed := false
	err := p.queue.InTx(ctx, func(tx *queue.Tx) error {
		fail := tx.Catalog.Fail
		if final {
			fail = tx.Catalog.FailFinal
		}
		ok, err := fail(ctx, ref.VideoID, ref.Run, reason)
		if err != nil || !ok {
			return err
		}
		failed = true
		return p.event(ctx, tx, EventVideoFailed, ref.VideoID)
	})
	if err != nil {
		logWith(p.log, ref).Error("marking the run failed", "err", err)
		return
	}
	if failed {
		p.removeOutputs(ctx, ref.VideoID)
	}
}

func (p *Pipeline) removeOutputs(ctx context.Context, videoID string) {
	for _, prefix := range []string{workPrefix(videoID), mediaPrefix(videoID)} {
		if err := p.store.DeletePrefix(ctx, prefix); err != nil {
			p.log.Warn("cleanup failed", "prefix", prefix, "err", err)
		}
	}
}

// Store layout.
func workPrefix(videoID string) string  { return "work/" + videoID + "/" }
func runPrefix(r Ref) string            { return fmt.Sprintf("work/%s/%d/", r.VideoID, r.Run) }
func mediaPrefix(videoID string) string { return "media/" + videoID + "/" }
func chunkKey(r Ref, rendition media.Rendition, i int) string {
	return fmt.Sprintf("%s%s/chunk-%05d%s", runPrefix(r), rendition.ID, i, path.Ext(ffmpeg.ChunkFile(rendition)))
}
func pieceKey(r Ref, i int) string {
	return fmt.Sprintf("%spieces/piece-%05d.mkv", runPrefix(r), i)
}
func audioPrefix(r Ref) string                   { return runPrefix(r) + "audio/" }
func thumbsPrefix(r Ref) string                  { return runPrefix(r) + "thumbs/" }
func logWith(l *slog.Logger, r Ref) *slog.Logger { return l.With("video", r.VideoID, "run", r.Run) }
func tilesPrefix(r Ref) string                   { return runPrefix(r) + "tiles/" }
