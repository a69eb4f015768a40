package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
)

// Progressive playback. The segment grid is fixed by the plan, and a
// chunk packaged on its own gives the segments packaging the whole
// rendition gives once ffmpeg.ShiftSegment has renumbered them. So every
// chunk job publishes its segments under media/<id>/ as soon as it is
// encoded, the first chunk also the init segments and manifests planned
// for the whole duration, and the video is playable from then on
// (playable_at, video.playable), long before it is ready. The audio job
// publishes its segments as ffmpeg writes them. Delivery waits for a
// planned segment that is not there yet (delivery/pending.go). Packaging
// later writes the same segment bytes and the measured manifests, and
// publish flips the video to ready as before.

// fastRungs are the indexes of the video rungs encoded first, in a pass of
// their own, when a viewer waits for a chunk: the two smallest rungs of the
// first codec (H.264). Players start there: before they have measured
// anything, hls.js assumes 500 kb/s and Shaka and dash.js 1 Mb/s, and the
// planned master lists the lowest rung first. nil when the ladder is too
// short for a separate pass to help.
func fastRungs(plan media.Plan) []int {
	if len(plan.Video) < 3 {
		return nil
	}
	codec := plan.Video[0].VideoCodec()
	var idx []int
	for i, r := range plan.Video {
		if r.VideoCodec() == codec {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return plan.Video[a].Width*plan.Video[a].Height - plan.Video[b].Width*plan.Video[b].Height
	})
	if len(idx) > 2 {
		idx = idx[:2]
	}
	slices.Sort(idx)
	return idx
}

// wantedRendition is the rendition a viewer asked for, noted in a chunk
// job's metadata by Prioritize.
func wantedRendition(metadata []byte) (rendition string, at time.Time) {
	var m struct {
		Want string `json:"want"`
		At   int64  `json:"prioritized_ms"`
	}
	_ = json.Unmarshal(metadata, &m)
	if m.At > 0 {
		at = time.UnixMilli(m.At)
	}
	return m.Want, at
}

// chunkPasses splits the encode of chunk c in two when a viewer waits for
// it: a few rungs first, then the rest with the storyboard tiles. That is
// the first chunk, whose first pass is its lowest rung and the first
// frames of every other rung, into headerDir, for their init segments and
// the codecs strings the planned manifests need before those rungs exist;
// and a chunk a viewer asked for (urgent) in one of the fast rungs (want),
// whose first pass is the fast rungs. A second
// pass decodes and scales the chunk again: for a viewer on an upper rung
// it would save little of their wait and cost the video's ready time
// (bench/ttp.sh), so such a chunk is encoded in one pass.
func chunkPasses(plan media.Plan, c media.Chunk, urgent bool, want, headerDir string) []ffmpeg.ChunkPass {
	fast := fastRungs(plan)
	if fast == nil {
		return []ffmpeg.ChunkPass{{}}
	}
	if c.Index != 0 {
		i := slices.IndexFunc(plan.Video, func(r media.Rendition) bool { return r.ID == want })
		if !urgent || !slices.Contains(fast, i) {
			return []ffmpeg.ChunkPass{{}}
		}
	}
	first := ffmpeg.ChunkPass{Rungs: fast, NoTiles: true}
	if c.Index == 0 {
		// Only the lowest rung, where players start (hls.js takes the
		// master's first entry), and of the others only their first
		// frames: each rung more in this pass delays the first frame
		// (480p beside 240p made it about 0.5 s later on a loaded 2-core
		// machine), and a player on another rung waits for a second pass.
		lowest := slices.MinFunc(fast, func(a, b int) int {
			return plan.Video[a].Width*plan.Video[a].Height - plan.Video[b].Width*plan.Video[b].Height
		})
		first.Rungs, first.HeaderDir = []int{lowest}, headerDir
	}
	var rest []int
	for i := range plan.Video {
		if !slices.Contains(first.Rungs, i) {
			rest = append(rest, i)
		}
	}
	return []ffmpeg.ChunkPass{first, {Rungs: rest}}
}

// passRungs returns the renditions pass encodes.
func passRungs(plan media.Plan, pass ffmpeg.ChunkPass) []media.Rendition {
	if pass.Rungs == nil {
		return plan.Video
	}
	var rs []media.Rendition
	for _, i := range pass.Rungs {
		rs = append(rs, plan.Video[i])
	}
	return rs
}

// chunkPublish is what the passes of one chunk job have published.
type chunkPublish struct {
	codecs    map[string]string // video rendition → codecs string
	guessed   map[string]bool   // codecs taken from a header file (first frames)
	inits     map[string][]byte // init segments published from header files
	broken    bool              // a pass could not be published: no manifests
	manifests bool              // planned manifests published
	playable  bool
}

// plan notes the codecs strings the plan gives (media.Plan.PlannedCodecs)
// as guessed, for the planned manifests, and reports whether it gives
// every video rendition's. A pass that encodes a rung checks its guess:
// if it was wrong, the manifests are published again (publishChunk).
func (pub *chunkPublish) plan(plan media.Plan) bool {
	all := true
	for _, r := range plan.Video {
		if c := plan.PlannedCodecs(r); c != "" {
			pub.codecs[r.ID], pub.guessed[r.ID] = c, true
		} else {
			all = false
		}
	}
	return all
}

// publishHeaders packages the first frames of the first chunk's rungs the
// first pass does not encode (headerDir, see ffmpeg.ChunkPass) into pkg,
// notes their codecs strings, and publishes their H.264 init segments,
// which are those of the whole chunk: a viewer switching up, or seeking to
// a chunk encoded just for them in that rung, need not wait for the first
// chunk's second pass. Failures are logged: the second pass publishes
// everything anyway.
func (p *Pipeline) publishHeaders(ctx context.Context, ref Ref, plan media.Plan, rungs []media.Rendition, headerDir, pkg string, pub *chunkPublish) {
	log := logWith(p.log, ref)
	var inputs []string
	for _, r := range rungs {
		inputs = append(inputs, filepath.Join(headerDir, ffmpeg.ChunkFile(r)))
	}
	if len(rungs) == 0 {
		return
	}
	sub := plan
	sub.Video = rungs
	err := ffmpeg.MakeRenditionDirs(pkg, rungs)
	if err == nil {
		err = p.ff.Run(ctx, ffmpeg.PackageArgs(sub, inputs, pkg), nil)
	}
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("first frames of the upper rungs not packaged; manifests wait for them", "err", err)
		}
		return
	}
	for _, r := range rungs {
		init := filepath.Join(pkg, r.ID, "init.mp4")
		b, err := os.ReadFile(init)
		var codecs string
		if err == nil {
			codecs, err = ffmpeg.CodecsFromInit(b)
		}
		if err != nil {
			log.Warn("no codecs from a rung's first frames; manifests wait for the rung", "rendition", r.ID, "err", err)
			continue
		}
		pub.codecs[r.ID], pub.guessed[r.ID] = codecs, true
		if r.VideoCodec() != media.CodecH264 {
			continue
		}
		if _, err := storage.PutFile(ctx, p.store, mediaPrefix(ref.VideoID)+r.ID+"/init.mp4", init); err != nil {
			log.Warn("init segment not published early", "rendition", r.ID, "err", err)
			continue
		}
		pub.inits[r.ID] = b
	}
}

// publishChunk packages the renditions rungs of chunk c, encoded into out
// (<rid>.ts), into their final segments and stores them under the media
// prefix, lowest rung first. The first chunk also stores their init
// segments and, once every video rendition's codecs are known (from the
// init segments, or from the first frames: publishHeaders), the planned
// manifests (pub.manifests). A chunk whose packaging fails is logged and
// left to the package step (viewers wait for it): progressive playback
// never fails a video.
func (p *Pipeline) publishChunk(ctx context.Context, ref Ref, plan media.Plan, c media.Chunk, out, pkgName string, rungs []media.Rendition, pub *chunkPublish) error {
	log := logWith(p.log, ref).With("chunk", c.Index)
	first, n := plan.ChunkSegments(c.Index)
	if n == 0 || len(rungs) == 0 || pub.broken {
		return nil
	}
	pkg := filepath.Join(out, pkgName)
	if err := ffmpeg.MakeRenditionDirs(pkg, rungs); err != nil {
		return err
	}
	sub := plan
	sub.Video = rungs
	inputs := make([]string, len(rungs))
	for i, r := range rungs {
		inputs[i] = filepath.Join(out, r.ID+".ts")
	}
	if err := p.ff.Run(ctx, ffmpeg.PackageArgs(sub, inputs, pkg), nil); err != nil {
		if ctx.Err() != nil {
			return err
		}
		log.Warn("chunk not packaged on its own; its segments wait for the package step", "err", err)
		pub.broken = true
		return nil
	}
	type file struct{ key, path string }
	var files []file
	ordered := slices.Clone(rungs)
	slices.SortStableFunc(ordered, func(a, b media.Rendition) int { return a.Width*a.Height - b.Width*b.Height })
	guessed := map[string]string{}
	for _, r := range ordered { // lowest first: players start there
		for j := range n {
			path := filepath.Join(pkg, r.ID, fmt.Sprintf("seg_%05d.m4s", j))
			b, err := os.ReadFile(path)
			if err == nil {
				err = ffmpeg.ShiftSegment(b, uint32(first), c.StartFrame, plan.FPSNum, plan.FPSDen)
			}
			if err == nil {
				err = os.WriteFile(path, b, 0o640)
			}
			if err != nil {
				log.Warn("chunk segments do not fit the plan; they wait for the package step", "rendition", r.ID, "segment", j, "err", err)
				pub.broken = true
				return nil
			}
			files = append(files, file{fmt.Sprintf("%s%s/seg_%05d.m4s", mediaPrefix(ref.VideoID), r.ID, first+j), path})
		}
		if c.Index == 0 {
			init := filepath.Join(pkg, r.ID, "init.mp4")
			b, err := os.ReadFile(init)
			if err != nil {
				return err
			}
			codecs, err := ffmpeg.CodecsFromInit(b)
			if err != nil {
				log.Warn("no codecs in the first chunk's init segment; not playable before ready", "err", err)
				pub.broken = true
				return nil
			}
			if pub.guessed[r.ID] && pub.codecs[r.ID] != codecs {
				guessed[r.ID] = pub.codecs[r.ID]
			}
			if early, ok := pub.inits[r.ID]; ok && !bytes.Equal(early, b) {
				log.Warn("a rung's init segment differs from the one its first frames gave; replaced", "rendition", r.ID)
			}
			pub.codecs[r.ID] = codecs
			delete(pub.guessed, r.ID)
			files = append(files, file{mediaPrefix(ref.VideoID) + r.ID + "/init.mp4", init})
		}
	}
	for _, f := range files {
		if _, err := storage.PutFile(ctx, p.store, f.key, f.path); err != nil {
			return err
		}
	}
	if c.Index != 0 {
		return nil
	}
	for _, r := range plan.Video {
		if pub.codecs[r.ID] == "" {
			return nil // not yet: a later pass publishes the manifests
		}
	}
	if pub.manifests && len(guessed) == 0 {
		return nil
	}
	if len(guessed) > 0 {
		log.Warn("a rung's codecs differ from its first frames'; manifests published again", "guessed", guessed)
	}
	renditions := plan.Renditions()
	for i := range renditions {
		if c, ok := pub.codecs[renditions[i].ID]; ok {
			renditions[i].Codecs = c
		}
	}
	manifests, err := manifest.PlannedFiles(plan, renditions)
	if err != nil {
		log.Warn("no planned manifests; not playable before ready", "err", err)
		pub.broken = true
		return nil
	}
	// Media playlists before the master and the MPD, which point at them.
	names := make([]string, 0, len(manifests))
	for name := range manifests {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return cmpBool(filepath.Dir(a) == ".", filepath.Dir(b) == ".") })
	for _, name := range names {
		if _, err := p.store.Put(ctx, mediaPrefix(ref.VideoID)+name, bytes.NewReader(manifests[name])); err != nil {
			return err
		}
	}
	pub.manifests = true
	return nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// publishAudioSegments stores the audio segments ffmpeg has finished in
// dir (<rid>/seg_NNNNN.m4s, complete once the next one exists) under the
// media prefix while the encode runs, and the rest once done is closed.
// It closes first once every rendition's init and first segment are out,
// or when it returns. Errors are logged: the package step publishes every
// segment anyway.
func (p *Pipeline) publishAudioSegments(ctx context.Context, ref Ref, plan media.Plan, dir string, done <-chan struct{}, first chan<- struct{}) {
	sent := map[string]bool{}
	started := time.Now()
	logFirst := sync.OnceFunc(func() {
		logWith(p.log, ref).Info("audio: first segments published", "s", round2(time.Since(started).Seconds()))
	})
	firstOut := sync.OnceFunc(func() { close(first) })
	defer firstOut()
	push := func(final bool) {
		defer func() {
			if !slices.ContainsFunc(plan.Audio, func(r media.Rendition) bool { return !sent[r.ID+"seg_00000.m4s"] }) {
				logFirst()
				firstOut()
			}
		}()
		for _, r := range plan.Audio {
			rdir := filepath.Join(dir, r.ID)
			for i := 0; ; i++ {
				name := fmt.Sprintf("seg_%05d.m4s", i)
				if _, err := os.Stat(filepath.Join(rdir, name)); err != nil {
					break
				}
				if sent[r.ID+name] {
					continue
				}
				if !final {
					if _, err := os.Stat(filepath.Join(rdir, fmt.Sprintf("seg_%05d.m4s", i+1))); err != nil {
						break // still being written
					}
				}
				for _, f := range []string{"init.mp4", name} {
					if f == "init.mp4" && sent[r.ID+f] {
						continue
					}
					// A copy: ffmpeg still owns its directory, and a local
					// store moves files in.
					b, err := os.ReadFile(filepath.Join(rdir, f))
					if err == nil {
						_, err = p.store.Put(ctx, mediaPrefix(ref.VideoID)+r.ID+"/"+f, bytes.NewReader(b))
					}
					if err != nil {
						if ctx.Err() == nil {
							logWith(p.log, ref).Warn("audio segment not published early", "rendition", r.ID, "file", f, "err", err)
						}
						return
					}
					sent[r.ID+f] = true
				}
			}
		}
	}
	// Often: the first segments hold up the first frame, and until they
	// are out the encode runs beside the first pass at full priority
	// (ffmpeg.JoinAfter). A look is a few stat calls.
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			push(true)
			return
		case <-t.C:
			push(false)
		}
	}
}

// Prioritize moves the encode of chunk of videoID to the front of the queue
// (a viewer waits for it: delivery.Options.PrioritizeFunc), into the urgent
// queue, which any worker takes next even with its encode slots busy. The
// job encodes rendition (the one the viewer asked for) and the fast rungs
// first (chunkPasses). A chunk already running or done is left alone. For a
// segment (segment ≥ 0; chunk -1 for audio) it also queues its preview
// (preview.go) and returns the key the preview will be stored at.
func (p *Pipeline) Prioritize(ctx context.Context, videoID string, chunk, segment int, rendition string) (string, error) {
	note := map[string]any{"prioritized_ms": time.Now().UnixMilli()}
	if rendition != "" {
		note["want"] = rendition
	}
	if chunk >= 0 {
		n, err := p.queue.Prioritize(ctx, KindChunk, map[string]any{"video_id": videoID, "index": chunk}, note)
		if err != nil {
			return "", err
		}
		if n > 0 {
			p.log.Info("chunk moved to the front of the queue for a viewer", "video", videoID, "chunk", chunk, "rendition", rendition)
		}
	}
	if segment < 0 || rendition == "" {
		return "", nil
	}
	return p.requestPreview(ctx, videoID, segment, rendition)
}
