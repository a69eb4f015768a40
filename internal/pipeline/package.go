package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/riverqueue/river"
	"golang.org/x/sync/errgroup"

	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
)

func (p *Pipeline) packageRun(ctx context.Context, job *river.Job[PackageArgs]) error {
	err := p.doPackage(ctx, job)
	return p.outcome(ctx, job.Args.Ref, stepPackage, job.JobRow, err)
}

// doPackage joins each rendition's chunks, cuts them into CMAF segments
// without re-encoding, writes the HLS and DASH manifests over the same
// segments and copies everything under media/<id>/ (progressive.go stored
// the same segments there while the chunks were encoding). The video is
// ready once publish flips it.
func (p *Pipeline) doPackage(ctx context.Context, job *river.Job[PackageArgs]) error {
	ref := job.Args.Ref
	plan, live, err := p.current(ctx, ref)
	if err != nil || !live {
		return err
	}
	dir, err := p.scratch(job.ID)
	if err != nil {
		return err
	}
	defer removeAll(dir)
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	// The parts write to different files; running them at once keeps this
	// serial step of the DAG short (store round trips overlap with ffmpeg).
	g, gctx := errgroup.WithContext(ctx)
	if len(plan.Video) > 0 {
		g.Go(func() error { return p.packageVideo(gctx, ref, plan, dir, out) })
		g.Go(func() error { return p.buildStoryboard(gctx, ref, plan, dir, out) })
	}
	for _, prefix := range []string{audioPrefix(ref), thumbsPrefix(ref)} {
		g.Go(func() error { return p.download(gctx, prefix, out) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	p.progress(ref, stepPackage, 0.5)
	renditions, duration, err := describe(plan, out)
	if err != nil {
		return err
	}
	if err := p.packageText(ctx, ref.VideoID, out, renditions, duration); err != nil {
		return err
	}
	if err := queue.CheckLease(ctx); err != nil { // presumed dead: the new attempt owns these keys
		return err
	}
	// Overwritten in place, not cleared first: viewers of the progressive
	// video are reading these keys, and the segments get the same bytes.
	keep, err := relFiles(out) // before PutDir, which may move the files
	if err != nil {
		return err
	}
	if err := storage.PutDir(ctx, p.store, mediaPrefix(ref.VideoID), out); err != nil {
		return err
	}
	if err := p.removeStale(ctx, ref, keep); err != nil { // leftovers of an earlier run
		return err
	}
	return complete(ctx, p, job, func(tx *queue.Tx) error {
		if err := tx.Catalog.SaveRenditions(ctx, ref.VideoID, ref.Run, renditions); err != nil {
			return err
		}
		// What the API says is what was packaged, not what the file claimed.
		if err := tx.Catalog.SetDuration(ctx, ref.VideoID, ref.Run, duration); err != nil {
			return err
		}
		if _, err := tx.Catalog.FinishStep(ctx, ref.VideoID, ref.Run, stepPackage); err != nil {
			return err
		}
		return tx.Insert(ctx, river.InsertManyParams{Args: PublishArgs{ref}, InsertOpts: insertOpts(p.cfg.MaxAttempts)})
	})
}

// removeStale deletes what the media prefix holds beyond keep (paths
// relative to it, with slashes).
func (p *Pipeline) removeStale(ctx context.Context, ref Ref, keep map[string]bool) error {
	objs, err := p.store.List(ctx, mediaPrefix(ref.VideoID))
	if err != nil {
		return err
	}
	for _, o := range objs {
		if keep[strings.TrimPrefix(o.Key, mediaPrefix(ref.VideoID))] {
			continue
		}
		if err := p.store.Delete(ctx, o.Key); err != nil {
			return err
		}
	}
	return nil
}

// relFiles lists the files under dir by slash-separated relative path.
func relFiles(dir string) (map[string]bool, error) {
	files := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = true
		return err
	})
	return files, err
}

// packageVideo concatenates the chunks of every rendition (their timestamps
// continue across chunks) and remuxes them into fMP4 segments in one ffmpeg run.
func (p *Pipeline) packageVideo(ctx context.Context, ref Ref, plan media.Plan, dir, out string) error {
	inputs := make([]string, len(plan.Video))
	g, gctx := errgroup.WithContext(ctx)
	for i, r := range plan.Video {
		inputs[i] = filepath.Join(dir, ffmpeg.ChunkFile(r))
		g.Go(func() error {
			if err := os.MkdirAll(filepath.Join(out, r.ID), 0o750); err != nil {
				return err
			}
			return p.concatChunks(gctx, ref, r, len(plan.Chunks), inputs[i])
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := p.ff.Run(ctx, ffmpeg.PackageArgs(plan, inputs, out), nil); err != nil {
		return fmt.Errorf("package: %w", err)
	}
	return nil
}

func (p *Pipeline) concatChunks(ctx context.Context, ref Ref, r media.Rendition, n int, dst string) error {
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	for i := range n {
		obj, err := p.store.Open(ctx, chunkKey(ref, r, i))
		if err != nil {
			return fmt.Errorf("chunk %d of %s: %w", i, r.ID, err)
		}
		_, err = io.Copy(f, obj)
		obj.Close()
		if err != nil {
			return err
		}
	}
	return f.Close()
}

// download copies every object under prefix into dir, keeping relative paths.
func (p *Pipeline) download(ctx context.Context, prefix, dir string) error {
	objs, err := p.store.List(ctx, prefix)
	if err != nil {
		return err
	}
	for _, o := range objs {
		rel := strings.TrimPrefix(o.Key, prefix)
		dst := filepath.Join(dir, filepath.FromSlash(path.Clean(rel)))
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return err
		}
		if err := p.copyOut(ctx, o.Key, dst); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pipeline) copyOut(ctx context.Context, key, dst string) error {
	return copyFrom(ctx, p.store, key, dst)
}

// describe measures what packaging produced (codecs, bandwidths), checks it
// against the plan and writes master.m3u8 and manifest.mpd into out. It
// returns the renditions and the duration of the first one's playlist (the
// video, if any): what viewers get.
func describe(plan media.Plan, out string) ([]media.Rendition, float64, error) {
	renditions := plan.Renditions()
	playlists := make(map[string]manifest.MediaPlaylist, len(renditions))
	for i := range renditions {
		r := &renditions[i]
		name := filepath.Join(out, r.ID, "index.m3u8")
		if err := fixTargetDuration(name); err != nil {
			return nil, 0, fmt.Errorf("rendition %s: %w", r.ID, err)
		}
		pl, err := readPlaylist(name)
		if err != nil {
			return nil, 0, fmt.Errorf("rendition %s: %w", r.ID, err)
		}
		if len(pl.Segments) == 0 {
			return nil, 0, fmt.Errorf("rendition %s has no segments", r.ID)
		}
		init, err := os.ReadFile(filepath.Join(out, r.ID, "init.mp4"))
		if err != nil {
			return nil, 0, err
		}
		if r.Codecs, err = ffmpeg.CodecsFromInit(init); err != nil {
			return nil, 0, fmt.Errorf("rendition %s: %w", r.ID, err)
		}
		if r.AverageBandwidth, r.PeakBandwidth, err = bandwidth(filepath.Join(out, r.ID), pl); err != nil {
			return nil, 0, err
		}
		if r.Type == media.KindVideo && pl.Duration() < plan.Duration*0.9-1 {
			return nil, 0, media.Inputf("The video stream stops at %.1f s although the file says it lasts %.1f s; the file is probably truncated.",
				pl.Duration(), plan.Duration)
		}
		playlists[r.ID] = pl
	}
	if err := writeFile(filepath.Join(out, "master.m3u8"), func(w io.Writer) error {
		return manifest.WriteMaster(w, renditions)
	}); err != nil {
		return nil, 0, err
	}
	duration := playlists[renditions[0].ID].Duration()
	if err := writeFile(filepath.Join(out, "manifest.mpd"), func(w io.Writer) error {
		return manifest.WriteMPD(w, duration, renditions, playlists)
	}); err != nil {
		return nil, 0, err
	}
	return renditions, duration, nil
}

// fixTargetDuration raises the playlist's EXT-X-TARGETDURATION to what its
// segments need (manifest.FixTargetDuration): ffmpeg writes 0 for a clip
// under half a second, which players reject.
func fixTargetDuration(name string) error {
	src, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	fixed, changed := manifest.FixTargetDuration(src)
	if !changed {
		return nil
	}
	return os.WriteFile(name, fixed, 0o644)
}

func readPlaylist(name string) (manifest.MediaPlaylist, error) {
	f, err := os.Open(name)
	if err != nil {
		return manifest.MediaPlaylist{}, err
	}
	defer f.Close()
	return manifest.ParseMediaPlaylist(f)
}

// bandwidth returns average and peak bits per second over the segments.
func bandwidth(dir string, pl manifest.MediaPlaylist) (avg, peak int, err error) {
	var total int64
	var peakF float64
	for _, s := range pl.Segments {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(s.URI)))
		if err != nil {
			return 0, 0, err
		}
		total += st.Size()
		if s.Duration > 0 {
			peakF = max(peakF, float64(st.Size())*8/s.Duration)
		}
	}
	return int(float64(total) * 8 / max(pl.Duration(), 0.001)), int(peakF), nil
}

func writeFile(name string, fn func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
