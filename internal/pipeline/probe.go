package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
)

func (p *Pipeline) probe(ctx context.Context, job *river.Job[ProbeArgs]) error {
	ref := job.Args.Ref
	err := p.doProbe(ctx, job)
	return p.outcome(ctx, ref, stepProbe, job.JobRow, err)
}

func (p *Pipeline) doProbe(ctx context.Context, job *river.Job[ProbeArgs]) error {
	ref := job.Args.Ref
	// Where the time goes, for bench/ttp.sh's timeline.
	mark, phases := time.Now(), []any{"queued_s", round2(time.Since(job.ScheduledAt).Seconds())}
	phase := func(name string) {
		phases = append(phases, name+"_s", round2(time.Since(mark).Seconds()))
		mark = time.Now()
	}
	ok, err := p.cat.BeginProcessing(ctx, ref.VideoID, ref.Run)
	if err != nil || !ok {
		return err
	}
	key, _, err := p.cat.Source(ctx, ref.VideoID)
	if err != nil {
		return err
	}
	info, err := p.cfg.RawStore.Stat(ctx, key)
	if err != nil {
		return err
	}
	// Through the worker's source cache: the audio job, and the chunk jobs
	// when the source is not split, reuse this download if they land here.
	src, err := p.sources.fetch(ctx, p.cfg.RawStore, key)
	if err != nil {
		return err
	}
	phase("fetch")
	p.progress(ref, stepProbe, 0.3)
	source, err := p.ff.Probe(ctx, src)
	if err != nil {
		return err
	}
	source.Size = info.Size
	phase("ffprobe")
	// The video's first frame waits for this job: what does not depend on
	// the packet count runs beside it (the per-title samples, on the plan
	// the headers give, kept when the measured plan samples alike), and
	// the subtitles beside the samples.
	work, stop := context.WithCancel(ctx)
	var (
		side  sync.WaitGroup
		first *firstPass
		audio *earlyAudio
	)
	defer func() {
		stop()
		side.Wait()
		if first != nil {
			removeAll(filepath.Dir(first.path))
		}
		if audio != nil {
			removeAll(audio.dir)
		}
	}()
	early := p.startComplexity(work, &side, job.ID, src, source)
	// And what the first frame waits for after the probe: the first
	// chunk's first pass, and the audio's first segment.
	first = p.startFirstPass(work, &side, job.ID, src, source)
	audio = p.startEarlyAudio(work, &side, job.ID, src, source)
	if source, err = p.measure(ctx, ref, src, source); err != nil {
		return err
	}
	phase("measure")
	if err := p.cfg.Limits.Check(source); err != nil {
		return err
	}
	if err := p.checkQuota(ctx, ref, source); err != nil {
		return err
	}
	plan, err := media.NewPlan(source, p.cfg.Ladder)
	if err != nil {
		return err
	}
	phase("plan")
	var (
		texts    []catalog.NewTextTrack
		chapters []media.Chapter
		textErr  error
		textDone = make(chan struct{})
	)
	duration := plan.Duration // plan is replaced below while this runs
	side.Add(1)
	go func() {
		defer side.Done()
		defer close(textDone)
		texts, chapters, textErr = p.probeText(work, job, src, duration)
	}()
	if plan, err = p.perTitle(ctx, job.ID, ref, src, plan, early); err != nil {
		return err
	}
	phase("per_title")
	plan = media.WithCodecsUpTo(plan, p.cfg.Ladder.Codecs, p.cfg.Ladder.AV1MaxHeight)
	if plan, err = p.split(ctx, job, key, src, plan); err != nil {
		return err
	}
	phase("split")
	<-textDone
	if textErr != nil {
		return textErr
	}
	phase("text")
	firstPassKey := p.finishFirstPass(ctx, ref, first, src, plan)
	firstAudio := p.finishEarlyAudio(ctx, ref, audio, plan)
	phase("first_pass")
	logWith(p.log, ref).Info("planned", "kind", plan.Kind, "duration", plan.Duration,
		"renditions", len(plan.Renditions()), "chunks", len(plan.Chunks))
	steps, pending := stepsFor(plan)
	defer func() {
		logWith(p.log, ref).Info("probe done", append(phases, "commit_s", round2(time.Since(mark).Seconds()))...)
	}()
	return complete(ctx, p, job, func(tx *queue.Tx) error {
		if err := tx.Catalog.SavePlan(ctx, ref.VideoID, ref.Run, source, plan, steps, pending); err != nil {
			return err
		}
		if _, err := tx.Catalog.FinishStep(ctx, ref.VideoID, ref.Run, stepProbe); err != nil {
			return err
		}
		if err := tx.Catalog.ReplaceSourceTextTracks(ctx, ref.VideoID, texts); err != nil {
			return err
		}
		if err := tx.Catalog.SetSourceChapters(ctx, ref.VideoID, chapters); err != nil {
			return err
		}
		// Chunks go to the encode queue; audio and poster are short and run
		// beside them on the default queue, using what the encode leaves idle.
		var jobs []river.InsertManyParams
		add := func(args river.JobArgs, queueName string) {
			opts := insertOpts(p.cfg.MaxAttempts)
			opts.Queue = queueName
			jobs = append(jobs, river.InsertManyParams{Args: args, InsertOpts: opts})
		}
		if len(plan.Audio) > 0 {
			add(AudioArgs{Ref: ref, FirstSegments: firstAudio}, river.QueueDefault)
		}
		if len(plan.Video) > 0 {
			add(ThumbnailsArgs{ref}, river.QueueDefault)
		}
		// The first chunk first, ahead of other videos' later chunks, so
		// the video plays soon (progressive.go); the rest in order.
		for _, c := range plan.Chunks {
			args := ChunkArgs{Ref: ref, Index: c.Index}
			if c.Index == 0 {
				args.FirstPass = firstPassKey
			}
			add(args, queue.QueueEncode)
			jobs[len(jobs)-1].InsertOpts.Priority = queue.PriorityLater
			if c.Index == 0 {
				jobs[len(jobs)-1].InsertOpts.Priority = queue.PriorityFirst
			}
		}
		return tx.Insert(ctx, jobs...)
	})
}

// probeText extracts the source's subtitle streams and chapters
// (extractText) in a scratch directory of its own.
func (p *Pipeline) probeText(ctx context.Context, job *river.Job[ProbeArgs], src string, duration float64) ([]catalog.NewTextTrack, []media.Chapter, error) {
	// Not scratch(job.ID): split uses that one meanwhile.
	dir := filepath.Join(p.cfg.ScratchDir, fmt.Sprintf("job-%d-text", job.ID))
	removeAll(dir)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, nil, err
	}
	defer removeAll(dir)
	return p.extractText(ctx, job.Args.Ref, src, dir, duration)
}

// stepsFor lists the run's steps with weights roughly proportional to the
// work they do, and how many of them package waits for.
func stepsFor(plan media.Plan) ([]catalog.Step, int) {
	var steps []catalog.Step
	pixels := 0.0
	for _, r := range plan.Video {
		pixels += float64(r.Width * r.Height)
	}
	// Encoding cost grows with pixels; 640x360 of video ≈ 1 unit per second.
	perSecond := max(pixels/(640*360), 0.2)
	for i, c := range plan.Chunks {
		seconds := float64(c.Frames) * float64(plan.FPSDen) / float64(plan.FPSNum)
		if c.Frames == 0 {
			seconds = max(plan.Duration-c.Start, 0.1)
		}
		steps = append(steps, catalog.Step{Name: chunkStep(i), Weight: seconds * perSecond})
	}
	if len(plan.Audio) > 0 {
		steps = append(steps, catalog.Step{Name: stepAudio, Weight: plan.Duration * 0.05 * float64(len(plan.Audio))})
	}
	if len(plan.Video) > 0 {
		steps = append(steps, catalog.Step{Name: stepThumbnails, Weight: 0.3})
	}
	pending := len(steps)
	steps = append(steps,
		catalog.Step{Name: stepPackage, Weight: plan.Duration*0.02 + 0.5},
		catalog.Step{Name: stepPublish, Weight: 0.2})
	return steps, pending
}

// measure replaces what the headers claim with what the packets hold: the
// real number of video frames (a sparse video is then planned at the rate
// it has) and, when the streams run past the container's duration, their
// real end, which the duration limit and the plan then use.
func (p *Pipeline) measure(ctx context.Context, ref Ref, path string, source media.Source) (media.Source, error) {
	c, err := p.ff.Measure(ctx, path, source.HasVideo, source.HasAudio)
	var ml *ffmpeg.MemoryLimitError
	if err != nil && (ctx.Err() != nil || errors.As(err, &ml)) {
		return source, err
	}
	if err != nil {
		// Keep the claims: the encode still stops at the claimed duration,
		// so the cost stays bounded by the limits, as it was before.
		logWith(p.log, ref).Warn("could not measure the source; planning from its headers", "err", err)
		return source, nil
	}
	source.Frames = c.VideoFrames
	// Half a second absorbs the usual disagreement between a container's
	// duration and its last packet (priming, rounding, a last frame's length).
	if c.End > source.Duration+0.5 {
		logWith(p.log, ref).Info("streams run past the container's duration",
			"claimed", source.Duration, "measured", c.End)
		source.ClaimedDuration, source.Duration = source.Duration, c.End
	}
	return source, nil
}

// checkQuota fails the video with a sentence when processing it would take
// its owner over the processing quota (the server's, or the override an
// admin set on the owner). Two videos of one owner probed at the same
// moment may both pass: the quota bounds use, it is not billing.
func (p *Pipeline) checkQuota(ctx context.Context, ref Ref, source media.Source) error {
	v, err := p.cat.Video(ctx, ref.VideoID)
	if err != nil || v.OwnerID == "" {
		return err
	}
	q, err := p.cat.OwnerQuota(ctx, v.OwnerID, p.cfg.Limits.Quota)
	if err != nil || q.ProcessingMinutes <= 0 {
		return err
	}
	used, err := p.cat.ProcessedSeconds(ctx, v.OwnerID, q.Window(), v.ID)
	if err != nil {
		return err
	}
	return q.Check(used, source.Duration)
}

// complexity is a measurement of a source's complexity (ffmpeg.Complexity)
// on plan, started early (startComplexity): done is closed once c and err
// are set.
type complexity struct {
	plan   media.Plan
	cancel context.CancelFunc
	done   chan struct{}
	c      media.Complexity
	err    error
}

// startComplexity starts measuring the complexity of src on the plan its
// headers give (source before the packet count), in the background of the
// probe: nil when per-title does not apply to that plan, or there is none
// (headersPlan).
func (p *Pipeline) startComplexity(ctx context.Context, wg *sync.WaitGroup, jobID int64, src string, source media.Source) *complexity {
	if p.cfg.Ladder.Mode != media.LadderPerTitle {
		return nil
	}
	plan, ok := p.headersPlan(source)
	if !ok || len(plan.Video) == 0 || plan.Sparse {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	m := &complexity{plan: plan, cancel: cancel, done: make(chan struct{})}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(m.done)
		m.c, m.err = p.complexity(ctx, jobID, "early", src, plan)
	}()
	return m
}

// headersPlan returns the plan source's headers give, for the work the
// probe begins before the packet count (the per-title samples, the first
// pass, the audio's first segments); false when the headers fail the
// limits (the probe then fails anyway, or plans otherwise) or give none.
func (p *Pipeline) headersPlan(source media.Source) (media.Plan, bool) {
	if p.cfg.Limits.Check(source) != nil {
		return media.Plan{}, false
	}
	plan, err := media.NewPlan(source, p.cfg.Ladder)
	return plan, err == nil
}

// complexity runs ffmpeg.Complexity in a scratch directory of its own.
func (p *Pipeline) complexity(ctx context.Context, jobID int64, name, src string, plan media.Plan) (media.Complexity, error) {
	dir := filepath.Join(p.cfg.ScratchDir, fmt.Sprintf("job-%d-complexity-%s", jobID, name))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return media.Complexity{}, err
	}
	defer removeAll(dir)
	return p.ff.Complexity(ctx, plan, src, dir)
}

// perTitle measures the source's complexity and adapts the ladder to it,
// when the ladder mode asks for it. A sparse video (a still picture) keeps
// its fixed plan: its rungs are sized for it already. A measurement that
// fails for another reason than the job ending keeps the fixed ladder.
// early, when not nil, is a measurement begun before plan was known: its
// result is used when it sampled plan's samples the same way
// (ffmpeg.SameComplexity), which is the usual case (the packet count
// changes neither the size, the rate nor the duration of most sources).
func (p *Pipeline) perTitle(ctx context.Context, jobID int64, ref Ref, src string, plan media.Plan, early *complexity) (media.Plan, error) {
	if p.cfg.Ladder.Mode != media.LadderPerTitle || len(plan.Video) == 0 || plan.Sparse {
		if early != nil {
			early.cancel() // not needed
		}
		return plan, nil
	}
	var (
		c   media.Complexity
		err error
	)
	reused := false
	if early != nil && ffmpeg.SameComplexity(early.plan, plan, src) {
		select {
		case <-early.done:
		case <-ctx.Done():
			return plan, ctx.Err()
		}
		c, err, reused = early.c, early.err, early.err == nil
	}
	if early != nil {
		early.cancel() // a measurement of another plan: not needed
	}
	if !reused {
		c, err = p.complexity(ctx, jobID, "plan", src, plan)
	}
	if err != nil {
		if ctx.Err() != nil {
			return plan, err
		}
		logWith(p.log, ref).Warn("could not measure complexity; keeping the fixed ladder", "err", err)
		return plan, nil
	}
	adapted := media.PerTitle(plan, c)
	logWith(p.log, ref).Info("per-title ladder", "sample_bitrate", c.Bitrate,
		"sample_size", fmt.Sprintf("%dx%d", c.Width, c.Height), "rungs", len(adapted.Video), "of", len(plan.Video),
		"measured_early", reused)
	return adapted, nil
}
