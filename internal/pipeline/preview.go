package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
)

// Previews: the just-in-time unit of progressive playback. A chunk is
// several segments in every rung, seconds to tens of seconds of work, and
// a viewer who seeks far ahead waits for one segment in one rung. So when
// delivery waits for a video segment, besides moving its chunk to the
// front of the queue (Prioritize), it asks for a preview: that one
// segment in that one rendition, encoded by a job of its own in
// queue.QueuePreview (slots of its own, any worker), which stops the
// worker's other encodes, urgent chunks too, while it runs: the newest
// request goes first. The preview is the segment as the chunk's encode
// gives it (the same decode, scaling, encoder settings and GOP, packaged
// and renumbered the same way) except that the encoder's rate control
// starts at its first frame, so its bytes may differ. It is therefore
// stored apart, under the run's work files (previewKey), and delivery
// serves it with a short cache (private, no-cache) until the chunk
// publishes the final segment, which is immutable as before. The final
// output is untouched: the chunk is encoded whole as without previews,
// and publish removes the previews with the work files.

// previewStale is how long a preview job may wait in the queue and still
// be worth encoding: past it the request that asked for it has ended
// (delivery.DefaultSegmentWait) and its player has moved on or asked again,
// which queues a new one.
const previewStale = 20 * time.Second

// previewStack holds the previews running in this process, newest last:
// each stops the older ones while it runs.
type previewStack struct {
	mu      sync.Mutex
	running []*ffmpeg.Pauser
}

// start registers a new preview, stopping the older ones, and returns
// the Pauser to run its encode under and the func that ends it.
func (s *previewStack) start() (*ffmpeg.Pauser, func()) {
	mine := ffmpeg.NewPauser()
	s.mu.Lock()
	older := slices.Clone(s.running)
	for _, o := range older {
		o.Pause()
	}
	s.running = append(s.running, mine)
	s.mu.Unlock()
	return mine, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.running = slices.DeleteFunc(s.running, func(x *ffmpeg.Pauser) bool { return x == mine })
		for _, o := range older {
			o.Resume()
		}
	}
}

// previewKey is where the preview of video segment seg of rendition rid
// is stored.
func previewKey(ref Ref, rid string, seg int) string {
	return fmt.Sprintf("%spreview/%s/seg_%05d.m4s", runPrefix(ref), rid, seg)
}

// previewOpts: one attempt (a viewer who still waits asks again), unique
// while queued or running, so that a request retried by a player does not
// queue the same segment twice, but not once done.
func previewOpts() *river.InsertOpts {
	return &river.InsertOpts{
		Queue:       queue.QueuePreview,
		MaxAttempts: 1,
		Priority:    queue.PriorityUrgent,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: queue.Unfinished},
	}
}

// maxPreviews bounds the previews waiting or running per video. A client
// that asks for many segments ahead (a downloader, a player gone wrong)
// would otherwise have the video encoded a segment at a time, with the
// workers' chunk encodes stopped meanwhile (previews go first); past it, a
// request waits for the chunk, which Prioritize has moved to the front,
// and asks again each second (delivery), so that viewers get previews as
// slots free. A seek needs one video preview and the audio ones beside it.
const maxPreviews = 4

// requestPreview queues the preview of segment seg of rendition rid of
// videoID's current run and returns the key it will be stored at; "" when
// there is nothing to preview. For a video segment it also queues the
// previews of the audio segments it overlaps, which players ask for only
// once they have the video (hls.js), unless the audio encode has made
// them already.
func (p *Pipeline) requestPreview(ctx context.Context, videoID string, seg int, rid string) (string, error) {
	plan, run, status, err := p.cat.Plan(ctx, videoID)
	if err != nil || status != media.StatusProcessing {
		return "", err
	}
	if !previewable(plan, seg, rid) {
		return "", nil
	}
	ref := Ref{videoID, run}
	key := previewKey(ref, rid, seg)
	var jobs []river.InsertManyParams
	add := func(rid string, seg int) {
		jobs = append(jobs, river.InsertManyParams{Args: PreviewArgs{Ref: ref, Segment: seg, Rendition: rid}, InsertOpts: previewOpts()})
	}
	asked := false // the preview asked for is to be queued: first in jobs
	if _, err := p.store.Stat(ctx, key); err != nil {
		add(rid, seg)
		asked = true
	}
	if slices.ContainsFunc(plan.Video, func(r media.Rendition) bool { return r.ID == rid }) {
		frame := float64(plan.FPSDen) / float64(plan.FPSNum)
		f0, n := plan.SegmentFrames(seg)
		start, end := float64(f0)*frame, float64(f0+n)*frame
		for _, a := range plan.Audio {
			at := 0.0
			for k, d := range plan.AudioSegmentDurations(a.SampleRate) {
				if at < end-1e-6 && at+d > start+1e-6 {
					if _, err := p.store.Stat(ctx, fmt.Sprintf("%s%s/seg_%05d.m4s", mediaPrefix(videoID), a.ID, k)); err != nil {
						add(a.ID, k)
					}
				}
				at += d
			}
		}
	}
	if len(jobs) == 0 {
		return key, nil
	}
	// Listed, then inserted: two requests at the same moment may pass the
	// bound together, by one request's jobs at most each.
	rows, err := p.queue.Outstanding(ctx, KindPreview, "video_id", videoID, 100)
	if err != nil {
		return "", err
	}
	waiting := map[PreviewArgs]bool{}
	for _, row := range rows {
		var a PreviewArgs
		if json.Unmarshal(row, &a) == nil {
			waiting[a] = true
		}
	}
	if waiting[PreviewArgs{Ref: ref, Segment: seg, Rendition: rid}] {
		asked = false // an earlier request queued it
	}
	jobs = slices.DeleteFunc(jobs, func(j river.InsertManyParams) bool { return waiting[j.Args.(PreviewArgs)] })
	jobs = jobs[:min(len(jobs), max(maxPreviews-len(waiting), 0))] // the one asked for stays first
	if asked && len(jobs) == 0 {
		p.log.Info("preview not queued: the video has enough waiting", "video", videoID, "segment", seg, "rendition", rid)
		return "", nil
	}
	if len(jobs) == 0 {
		return key, nil
	}
	if err := p.queue.InTx(ctx, func(tx *queue.Tx) error { return tx.Insert(ctx, jobs...) }); err != nil {
		return "", err
	}
	return key, nil
}

// preview encodes and stores one segment of one rendition ahead of its
// chunk (see above). It never fails the run: a preview that cannot be made
// is logged, and the viewer gets the segment from the chunk.
func (p *Pipeline) preview(ctx context.Context, job *river.Job[PreviewArgs]) error {
	ref, seg, rid := job.Args.Ref, job.Args.Segment, job.Args.Rendition
	log := logWith(p.log, ref).With("segment", seg, "rendition", rid)
	if waited := time.Since(job.CreatedAt); waited > previewStale {
		log.Info("preview skipped: asked for too long ago", "queued_s", round2(waited.Seconds()))
		return nil
	}
	err := p.doPreview(ctx, job, log)
	if err != nil && ctx.Err() == nil {
		log.Warn("preview not made; the viewer waits for the chunk", "err", err)
	}
	return nil
}

var errNoPreview = errors.New("nothing to preview")

func (p *Pipeline) doPreview(ctx context.Context, job *river.Job[PreviewArgs], log *slog.Logger) error {
	ref, seg, rid := job.Args.Ref, job.Args.Segment, job.Args.Rendition
	plan, live, err := p.current(ctx, ref)
	if err != nil || !live {
		return err
	}
	final := fmt.Sprintf("%s%s/seg_%05d.m4s", mediaPrefix(ref.VideoID), rid, seg)
	for _, key := range []string{final, previewKey(ref, rid, seg)} {
		if _, err := p.store.Stat(ctx, key); err == nil {
			return nil // the encode, or an earlier request's preview, got there first
		}
	}
	if ai := slices.IndexFunc(plan.Audio, func(r media.Rendition) bool { return r.ID == rid }); ai >= 0 {
		return p.audioPreview(ctx, job, plan, plan.Audio[ai], log)
	}
	ci, ok := plan.ChunkOfSegment(seg)
	ri := slices.IndexFunc(plan.Video, func(r media.Rendition) bool { return r.ID == rid })
	if !ok || ri < 0 || ci >= len(plan.Chunks) {
		return errNoPreview
	}
	r := plan.Video[ri]
	sub, err := segmentChunk(plan, ci, seg)
	if err != nil {
		return err
	}
	started := time.Now()
	dir, src, err := p.prepareChunk(ctx, job.ID, ref, plan, sub)
	if err != nil {
		return err
	}
	defer removeAll(dir)
	out := filepath.Join(dir, "out")
	pkg := filepath.Join(dir, "pkg")
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	if err := ffmpeg.MakeRenditionDirs(pkg, []media.Rendition{r}); err != nil {
		return err
	}
	fetched := time.Now()
	err = func() error {
		// The worker's other encodes stop meanwhile, urgent chunks and
		// older previews too: this is the newest thing a viewer waits for.
		p.background.Pause()
		defer p.background.Resume()
		p.urgent.Pause()
		defer p.urgent.Resume()
		mine, done := p.previews.start()
		defer done()
		return p.ff.Run(mine.Context(ctx), ffmpeg.ChunkPassArgs(plan, sub, src, out, ffmpeg.ChunkPass{Rungs: []int{ri}, NoTiles: true}), nil)
	}()
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	encoded := time.Now()
	one := plan
	one.Video = []media.Rendition{r}
	if err := p.ff.Run(ctx, ffmpeg.PackageArgs(one, []string{filepath.Join(out, ffmpeg.ChunkFile(r))}, pkg), nil); err != nil {
		return fmt.Errorf("package: %w", err)
	}
	path := filepath.Join(pkg, r.ID, "seg_00000.m4s")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(pkg, r.ID, "seg_00001.m4s")); err == nil {
		return fmt.Errorf("the preview made more than one segment")
	}
	if err := ffmpeg.ShiftSegment(b, uint32(seg), sub.StartFrame, plan.FPSNum, plan.FPSDen); err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o640); err != nil {
		return err
	}
	if err := p.putPreview(ctx, ref, previewKey(ref, rid, seg), path); err != nil {
		return err
	}
	log.Info("preview published", "chunk", ci, "queued_s", round2(started.Sub(job.CreatedAt).Seconds()),
		"fetch_s", round2(fetched.Sub(started).Seconds()), "encode_s", round2(encoded.Sub(fetched).Seconds()),
		"publish_s", round2(time.Since(encoded).Seconds()))
	return nil
}

// segmentChunk returns the part of chunk ci that makes video segment seg,
// as a chunk of its own: the same piece, starting at the segment's first
// frame, as long as the segment.
func segmentChunk(plan media.Plan, ci, seg int) (media.Chunk, error) {
	first, n := plan.ChunkSegments(ci)
	if seg < first || seg >= first+n || plan.GOPFrames <= 0 || plan.FPSNum <= 0 {
		return media.Chunk{}, errNoPreview
	}
	c := plan.Chunks[ci]
	start, frames := plan.SegmentFrames(seg)
	sub := c
	sub.StartFrame = start
	sub.Start = float64(sub.StartFrame) * float64(plan.FPSDen) / float64(plan.FPSNum)
	sub.Frames = frames
	if c.Frames > 0 {
		sub.Frames = min(sub.Frames, c.StartFrame+c.Frames-start)
	}
	if sub.Frames <= 0 {
		return media.Chunk{}, errNoPreview
	}
	return sub, nil
}

// previewable reports whether plan has segment seg in rendition rid.
func previewable(plan media.Plan, seg int, rid string) bool {
	for _, r := range plan.Audio {
		if r.ID == rid {
			_, _, ok := plan.AudioSegmentPackets(r.SampleRate, seg)
			return ok
		}
	}
	_, ok := plan.ChunkOfSegment(seg)
	return ok && slices.ContainsFunc(plan.Video, func(r media.Rendition) bool { return r.ID == rid })
}

// audioPreview encodes the preview of segment job.Args.Segment of audio
// rendition r (ffmpeg.AudioSegmentPreview): the audio job encodes the whole
// track in one run, from the start, so a viewer who seeks far ahead would
// wait for most of it.
func (p *Pipeline) audioPreview(ctx context.Context, job *river.Job[PreviewArgs], plan media.Plan, r media.Rendition, log *slog.Logger) error {
	ref, seg := job.Args.Ref, job.Args.Segment
	_, n, ok := plan.AudioSegmentPackets(r.SampleRate, seg)
	if !ok {
		return errNoPreview
	}
	started := time.Now()
	dir, src, err := p.prepare(ctx, job.ID, ref)
	if err != nil {
		return err
	}
	defer removeAll(dir)
	fetched := time.Now()
	var path string
	err = func() error {
		// As for a video preview, for a fraction of a second; but a newer
		// video preview does not stop it: players want both, and a video
		// preview may be for a segment the player asks for ahead (hls.js
		// asks for the segments either side of a seek point in turn).
		p.background.Pause()
		defer p.background.Resume()
		p.urgent.Pause()
		defer p.urgent.Resume()
		path, err = ffmpeg.AudioSegmentPreview(ctx, p.ff, plan, r, src, seg, dir)
		return err
	}()
	if err != nil {
		return err
	}
	encoded := time.Now()
	if err := p.putPreview(ctx, ref, previewKey(ref, r.ID, seg), path); err != nil {
		return err
	}
	log.Info("preview published", "packets", n, "queued_s", round2(started.Sub(job.CreatedAt).Seconds()),
		"fetch_s", round2(fetched.Sub(started).Seconds()), "encode_s", round2(encoded.Sub(fetched).Seconds()),
		"publish_s", round2(time.Since(encoded).Seconds()))
	return nil
}

// putPreview stores a preview, and removes it again when the run has ended
// meanwhile: publish (or a failure) may have cleared the work files
// already, and nothing would remove it then.
func (p *Pipeline) putPreview(ctx context.Context, ref Ref, key, path string) error {
	if _, err := storage.PutFile(ctx, p.store, key, path); err != nil {
		return err
	}
	if _, live, err := p.current(ctx, ref); err == nil && !live {
		return p.store.Delete(ctx, key)
	}
	return nil
}
