package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// publishChunk packages chunk c's encoded renditions (out/<rid>.ts) into
// their final segments and stores them under the media prefix, lowest rung
// first. The first chunk also stores the init segments and the planned
// manifests, and then reports playable. A chunk whose packaging fails is
// logged and left to the package step (viewers wait for it): progressive
// playback never fails a video.
func (p *Pipeline) publishChunk(ctx context.Context, ref Ref, plan media.Plan, c media.Chunk, out string) (playable bool, err error) {
	log := logWith(p.log, ref).With("chunk", c.Index)
	first, n := plan.ChunkSegments(c.Index)
	if n == 0 || len(plan.Video) == 0 {
		return false, nil
	}
	pkg := filepath.Join(out, "pkg")
	if err := ffmpeg.MakeRenditionDirs(pkg, plan.Video); err != nil {
		return false, err
	}
	inputs := make([]string, len(plan.Video))
	for i, r := range plan.Video {
		inputs[i] = filepath.Join(out, r.ID+".ts")
	}
	if err := p.ff.Run(ctx, ffmpeg.PackageArgs(plan, inputs, pkg), nil); err != nil {
		if ctx.Err() != nil {
			return false, err
		}
		log.Warn("chunk not packaged on its own; its segments wait for the package step", "err", err)
		return false, nil
	}
	type file struct{ key, path string }
	var files []file
	renditions := plan.Renditions()
	rungs := slices.Clone(plan.Video)
	slices.Reverse(rungs) // lowest first: players start there
	for _, r := range rungs {
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
				return false, nil
			}
			files = append(files, file{fmt.Sprintf("%s%s/seg_%05d.m4s", mediaPrefix(ref.VideoID), r.ID, first+j), path})
		}
		if c.Index == 0 {
			init := filepath.Join(pkg, r.ID, "init.mp4")
			b, err := os.ReadFile(init)
			if err != nil {
				return false, err
			}
			codecs, err := ffmpeg.CodecsFromInit(b)
			if err != nil {
				log.Warn("no codecs in the first chunk's init segment; not playable before ready", "err", err)
				return false, nil
			}
			for i := range renditions {
				if renditions[i].ID == r.ID {
					renditions[i].Codecs = codecs
				}
			}
			files = append(files, file{mediaPrefix(ref.VideoID) + r.ID + "/init.mp4", init})
		}
	}
	for _, f := range files {
		if _, err := storage.PutFile(ctx, p.store, f.key, f.path); err != nil {
			return false, err
		}
	}
	if c.Index != 0 {
		return false, nil
	}
	manifests, err := manifest.PlannedFiles(plan, renditions)
	if err != nil {
		log.Warn("no planned manifests; not playable before ready", "err", err)
		return false, nil
	}
	// Media playlists before the master and the MPD, which point at them.
	names := make([]string, 0, len(manifests))
	for name := range manifests {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return cmpBool(filepath.Dir(a) == ".", filepath.Dir(b) == ".") })
	for _, name := range names {
		if _, err := p.store.Put(ctx, mediaPrefix(ref.VideoID)+name, bytes.NewReader(manifests[name])); err != nil {
			return false, err
		}
	}
	return true, nil
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
// Errors are logged: the package step publishes every segment anyway.
func (p *Pipeline) publishAudioSegments(ctx context.Context, ref Ref, plan media.Plan, dir string, done <-chan struct{}) {
	sent := map[string]bool{}
	push := func(final bool) {
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
	t := time.NewTicker(200 * time.Millisecond)
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
// (a viewer waits for it: delivery.Options.PrioritizeFunc). Any worker
// takes it next; a chunk already running or done is left alone.
func (p *Pipeline) Prioritize(ctx context.Context, videoID string, chunk int) error {
	n, err := p.queue.Prioritize(ctx, KindChunk, map[string]any{"video_id": videoID, "index": chunk})
	if err == nil && n > 0 {
		p.log.Info("chunk moved to the front of the queue for a viewer", "video", videoID, "chunk", chunk)
	}
	return err
}
