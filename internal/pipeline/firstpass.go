package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
)

// The early first pass. The first frame waits for the first chunk's first
// pass (its lowest rung, chunkPasses), which waits for the plan, which
// waits for the packet count and the per-title samples. The lowest rung
// does not depend on what those decide (ffmpeg's chunk filter scales it
// from the top rung, per-title keeps its cap), so the probe job encodes
// it beside them on the plan the headers give, and hands it to the first
// chunk's job when the measured plan encodes it with the same arguments.

// firstPass is a first pass begun by the probe (startFirstPass).
type firstPass struct {
	args   string // firstPassArgs of the plan it encodes
	path   string
	cancel context.CancelFunc
	done   chan struct{}
	took   time.Duration
	err    error
}

// firstPassPlan returns the plan that encodes the first pass of plan's
// first chunk alone: the top rung, which the lowest is scaled from, and
// the lowest (index 1), the first chunk only, read from the whole source.
// ok is false when the first chunk is not encoded in passes.
func firstPassPlan(plan media.Plan) (media.Plan, bool) {
	if len(plan.Video) == 0 || len(plan.Chunks) == 0 || plan.Sparse {
		return plan, false
	}
	passes := chunkPasses(plan, plan.Chunks[0], false, "", "")
	if len(passes) < 2 || len(passes[0].Rungs) != 1 {
		return plan, false
	}
	sub := plan
	sub.Video = []media.Rendition{plan.Video[0], plan.Video[passes[0].Rungs[0]]}
	sub.Video[0].ID, sub.Video[1].ID = "top", "first"
	sub.Chunks = []media.Chunk{plan.Chunks[0]}
	sub.Chunks[0].Piece = 0
	sub.Pieces, sub.Ladder = nil, nil
	return sub, true
}

// firstPassArgs is the ffmpeg command of sub's first pass, into dir.
func firstPassArgs(sub media.Plan, src, dir string) []string {
	return ffmpeg.ChunkPassArgs(sub, sub.Chunks[0], src, dir, ffmpeg.ChunkPass{Rungs: []int{1}, NoTiles: true})
}

// startFirstPass starts the first pass of the plan source's headers give
// (headersPlan), beside the probe; nil when there is none.
func (p *Pipeline) startFirstPass(ctx context.Context, wg *sync.WaitGroup, jobID int64, src string, source media.Source) *firstPass {
	plan, ok := p.headersPlan(source)
	if !ok {
		return nil
	}
	sub, ok := firstPassPlan(media.WithCodecsUpTo(plan, p.cfg.Ladder.Codecs, p.cfg.Ladder.AV1MaxHeight))
	if !ok {
		return nil
	}
	dir := filepath.Join(p.cfg.ScratchDir, fmt.Sprintf("job-%d-first", jobID))
	ctx, cancel := context.WithCancel(ctx)
	f := &firstPass{
		args: strings.Join(firstPassArgs(sub, src, dir), "\x00"), path: filepath.Join(dir, ffmpeg.ChunkFile(sub.Video[1])),
		cancel: cancel, done: make(chan struct{}),
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(f.done)
		started := time.Now()
		defer p.yield.Yield()() // a viewer waits for it, as for the chunk job's first pass
		if f.err = os.MkdirAll(dir, 0o750); f.err == nil {
			f.err = p.ff.Run(ctx, firstPassArgs(sub, src, dir), nil)
		}
		f.took = time.Since(started)
	}()
	return f
}

// finishFirstPass stores the early first pass for the first chunk's job
// and returns its key, when plan encodes the same first pass; "" when it
// does not, or the pass failed: the chunk's job then encodes it. It waits
// for the pass, which the chunk's job would otherwise run again.
func (p *Pipeline) finishFirstPass(ctx context.Context, ref Ref, f *firstPass, src string, plan media.Plan) string {
	if f == nil {
		return ""
	}
	defer func() {
		f.cancel()
		<-f.done
		removeAll(filepath.Dir(f.path))
	}()
	log := logWith(p.log, ref)
	sub, ok := firstPassPlan(plan)
	if !ok || strings.Join(firstPassArgs(sub, src, filepath.Dir(f.path)), "\x00") != f.args {
		log.Info("first pass begun on the headers' plan not used: the plan changed it")
		return ""
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return ""
	}
	if f.err != nil {
		log.Warn("first pass begun beside the probe failed; the first chunk encodes it", "err", f.err)
		return ""
	}
	key := runPrefix(ref) + "first-pass/" + ffmpeg.ChunkFile(sub.Video[1])
	if _, err := storage.PutFile(ctx, p.store, key, f.path); err != nil {
		log.Warn("first pass begun beside the probe not stored; the first chunk encodes it", "err", err)
		return ""
	}
	log.Info("first pass encoded beside the probe", "encode_s", round2(f.took.Seconds()))
	return key
}

// takeFirstPass puts the first pass the probe encoded (key) into the first
// chunk's pass, which encodes rung alone into out, instead of encoding it.
// false when there is none or it cannot be had: the pass is then encoded.
func (p *Pipeline) takeFirstPass(ctx context.Context, ref Ref, key string, c media.Chunk, pass ffmpeg.ChunkPass, plan media.Plan, out string) bool {
	if key == "" || c.Index != 0 || len(pass.Rungs) != 1 || pass.HeadersOnly {
		return false
	}
	passes := chunkPasses(plan, c, false, "", "")
	if len(passes) < 2 || !slices.Equal(passes[0].Rungs, pass.Rungs) {
		return false
	}
	path := filepath.Join(out, ffmpeg.ChunkFile(plan.Video[pass.Rungs[0]]))
	if err := p.copyOut(ctx, key, path); err != nil { // a copy: the job moves its files into a local store later
		if ctx.Err() == nil {
			logWith(p.log, ref).Warn("first pass from the probe not fetched; encoding it", "err", err)
		}
		return false
	}
	return true
}

// The audio's first segment. The first frame also waits for the init and
// first segment of the audio, which its job encodes once the probe has
// committed. So the probe encodes them too, beside the rest: the first
// segments of the audio plan the headers give, from a run that stops two
// segments in, and hands them to the audio job when the measured plan has
// the same audio renditions. The encoder's packets and the muxer's cuts
// depend on nothing after them, so they are the bytes the whole run
// writes (TestProgressivePlayback compares them).

// earlyAudio is the audio's first segments begun by the probe.
type earlyAudio struct {
	plan media.Plan // the plan it encoded, its duration shortened
	dir  string
	done chan struct{}
	err  error
}

// earlyAudioPlan returns plan's audio, shortened to two segments and a
// second; false when plan has no audio or is no longer than that.
func earlyAudioPlan(plan media.Plan) (media.Plan, bool) {
	short := 2*plan.SegmentSeconds + 1
	if len(plan.Audio) == 0 || plan.Duration <= short {
		return plan, false
	}
	return media.Plan{Kind: plan.Kind, Duration: short, SegmentSeconds: plan.SegmentSeconds, Audio: plan.Audio}, true
}

// startEarlyAudio starts encoding the first audio segments of the plan
// source's headers give (headersPlan), beside the probe; nil when there
// is nothing to gain.
func (p *Pipeline) startEarlyAudio(ctx context.Context, wg *sync.WaitGroup, jobID int64, src string, source media.Source) *earlyAudio {
	plan, ok := p.headersPlan(source)
	if !ok {
		return nil
	}
	short, ok := earlyAudioPlan(plan)
	if !ok {
		return nil
	}
	a := &earlyAudio{plan: short, dir: filepath.Join(p.cfg.ScratchDir, fmt.Sprintf("job-%d-audio", jobID)), done: make(chan struct{})}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(a.done)
		for _, r := range short.Audio {
			if a.err = os.MkdirAll(filepath.Join(a.dir, r.ID), 0o750); a.err != nil {
				return
			}
		}
		a.err = p.ff.Run(ctx, ffmpeg.AudioArgs(short, src, a.dir), nil)
	}()
	return a
}

// finishEarlyAudio stores the early first segments for the audio job and
// returns their prefix, when plan has the same audio; "" otherwise.
func (p *Pipeline) finishEarlyAudio(ctx context.Context, ref Ref, a *earlyAudio, plan media.Plan) string {
	if a == nil {
		return ""
	}
	defer removeAll(a.dir)
	short, ok := earlyAudioPlan(plan)
	if !ok || !reflect.DeepEqual(short, a.plan) {
		return ""
	}
	select {
	case <-a.done:
	case <-ctx.Done():
		return ""
	}
	log := logWith(p.log, ref)
	if a.err != nil {
		log.Warn("first audio segments begun beside the probe failed; the audio job encodes them", "err", a.err)
		return ""
	}
	prefix := runPrefix(ref) + "first-audio/"
	for _, r := range short.Audio {
		for _, f := range earlyAudioFiles {
			if _, err := storage.PutFile(ctx, p.store, prefix+r.ID+"/"+f, filepath.Join(a.dir, r.ID, f)); err != nil {
				log.Warn("first audio segments begun beside the probe not stored; the audio job encodes them", "err", err)
				return ""
			}
		}
	}
	return prefix
}

// earlyAudioFiles are the files of each audio rendition the probe hands on.
var earlyAudioFiles = []string{"init.mp4", "seg_00000.m4s"}

// publishEarlyAudio publishes the first audio segments the probe encoded
// (prefix, see finishEarlyAudio). Errors are logged: the audio job
// publishes them again as it writes them.
func (p *Pipeline) publishEarlyAudio(ctx context.Context, ref Ref, plan media.Plan, prefix string) {
	if prefix == "" {
		return
	}
	for _, r := range plan.Audio {
		for _, f := range earlyAudioFiles {
			if err := copyKey(ctx, p.store, prefix+r.ID+"/"+f, mediaPrefix(ref.VideoID)+r.ID+"/"+f); err != nil {
				if ctx.Err() == nil {
					logWith(p.log, ref).Warn("first audio segments from the probe not published", "err", err)
				}
				return
			}
		}
	}
	logWith(p.log, ref).Info("audio: first segments published from the probe")
}

// copyKey copies the object at from to key to within s.
func copyKey(ctx context.Context, s storage.Store, from, to string) error {
	obj, err := s.Open(ctx, from)
	if err != nil {
		return err
	}
	defer obj.Close()
	_, err = s.Put(ctx, to, obj)
	return err
}
