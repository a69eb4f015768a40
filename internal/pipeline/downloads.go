package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
)

// KindDownloads makes a ready video's download files.
const KindDownloads = "downloads"

// DownloadsArgs makes the download files of a ready video from its
// published renditions.
type DownloadsArgs struct {
	VideoID string `json:"video_id"`
}

// Kind implements river.JobArgs.
func (DownloadsArgs) Kind() string { return KindDownloads }

// Download file names under media/<id>/.
const (
	DownloadMP4 = "download/video.mp4"
	DownloadM4A = "download/audio.m4a"
)

func downloadPrefix(videoID string) string { return mediaPrefix(videoID) + "download/" }

// SetDownloads turns video id's downloads on or off. Turning them on for a
// ready video queues the job that makes the files (publish queues it for a
// video still processing); turning them off removes the files.
func (p *Pipeline) SetDownloads(ctx context.Context, id string, on bool) (media.Video, error) {
	var v media.Video
	err := p.queue.InTx(ctx, func(tx *queue.Tx) error {
		var err error
		if v, err = tx.Catalog.SetDownloads(ctx, id, on); err != nil {
			return err
		}
		if !on || v.Status != media.StatusReady {
			return nil
		}
		return tx.Insert(ctx, river.InsertManyParams{Args: DownloadsArgs{id}, InsertOpts: downloadOpts(p.cfg.MaxAttempts)})
	})
	if err != nil || on {
		return v, err
	}
	if err := p.store.DeletePrefix(ctx, downloadPrefix(id)); err != nil {
		return v, fmt.Errorf("remove downloads of %s: %w", id, err)
	}
	return v, nil
}

// downloadOpts are insertOpts without uniqueness by args: turning
// downloads off and on again must make them again, even while an earlier
// job still waits.
func downloadOpts(maxAttempts int) *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: maxAttempts}
}

// queueDownloads, in publish's transaction, queues the download files of a
// video whose owner asked for them.
func (p *Pipeline) queueDownloads(ctx context.Context, tx *queue.Tx, id string) error {
	v, err := tx.Catalog.Video(ctx, id)
	if err != nil || v.Downloads == media.DownloadsOff {
		return err
	}
	if _, err := tx.Catalog.SetDownloads(ctx, id, true); err != nil {
		return err
	}
	return tx.Insert(ctx, river.InsertManyParams{Args: DownloadsArgs{id}, InsertOpts: downloadOpts(p.cfg.MaxAttempts)})
}

func (p *Pipeline) downloads(ctx context.Context, job *river.Job[DownloadsArgs]) error {
	err := p.doDownloads(ctx, job)
	if err == nil {
		return nil
	}
	id := job.Args.VideoID
	log := p.log.With("video", id, "step", KindDownloads, "job", job.ID, "attempt", job.Attempt)
	if errors.Is(ctx.Err(), context.Canceled) {
		return river.JobSnooze(time.Second)
	}
	if job.Attempt < job.MaxAttempts {
		log.Warn("making downloads failed; will retry", "err", err)
		return err
	}
	// The video stays ready and playable; only the downloads failed.
	log.Error("making downloads failed for good", "err", err)
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, ferr := p.cat.FinishDownloads(fctx, id, media.DownloadsFailed); ferr != nil {
		log.Error("recording failed downloads", "err", ferr)
	}
	return river.JobCancel(err)
}

// doDownloads joins the top video rendition's and the default audio
// rendition's CMAF segments into whole tracks and remuxes them, without
// re-encoding, into an MP4 (video and audio) and an M4A (audio alone), both
// with the index first, under media/<id>/download/.
func (p *Pipeline) doDownloads(ctx context.Context, job *river.Job[DownloadsArgs]) error {
	id := job.Args.VideoID
	v, err := p.cat.Video(ctx, id)
	if errors.Is(err, media.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if v.Status != media.StatusReady || v.Downloads != media.DownloadsPending {
		return nil // not ready yet (publish queues it again), or turned off
	}
	var top, audio *media.Rendition
	for i := range v.Renditions {
		r := &v.Renditions[i]
		switch {
		case r.Type == media.KindVideo && (top == nil || r.Width*r.Height > top.Width*top.Height):
			top = r
		case r.Type == media.KindAudio && (audio == nil || r.Default && !audio.Default):
			audio = r
		}
	}
	dir, err := p.scratch(job.ID)
	if err != nil {
		return err
	}
	defer removeAll(dir)
	out := filepath.Join(dir, "out", "download")
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	track := func(r *media.Rendition) (string, error) {
		if r == nil {
			return "", nil
		}
		return p.joinTrack(ctx, id, r.ID, filepath.Join(dir, r.ID+".mp4"))
	}
	videoTrack, err := track(top)
	if err != nil {
		return err
	}
	audioTrack, err := track(audio)
	if err != nil {
		return err
	}
	if videoTrack != "" {
		if err := p.ff.Run(ctx, ffmpeg.DownloadMP4Args(videoTrack, audioTrack, filepath.Join(out, path.Base(DownloadMP4))), nil); err != nil {
			return fmt.Errorf("download mp4: %w", err)
		}
	}
	if audioTrack != "" {
		if err := p.ff.Run(ctx, ffmpeg.DownloadM4AArgs(audioTrack, filepath.Join(out, path.Base(DownloadM4A))), nil); err != nil {
			return fmt.Errorf("download m4a: %w", err)
		}
	}
	if err := storage.PutDir(ctx, p.store, downloadPrefix(id), out); err != nil {
		return err
	}
	done, err := p.cat.FinishDownloads(ctx, id, media.DownloadsReady)
	if err != nil {
		return err
	}
	if !done { // turned off while they were made
		return p.store.DeletePrefix(ctx, downloadPrefix(id))
	}
	p.log.Info("downloads ready", "video", id)
	return nil
}

// joinTrack writes rendition rid's init segment followed by its media
// segments, in order, to dst: one fragmented MP4 of the whole track.
func (p *Pipeline) joinTrack(ctx context.Context, id, rid, dst string) (string, error) {
	prefix := mediaPrefix(id) + rid + "/"
	objs, err := p.store.List(ctx, prefix)
	if err != nil {
		return "", err
	}
	var segs []string
	for _, o := range objs {
		name := strings.TrimPrefix(o.Key, prefix)
		if strings.HasPrefix(name, "seg_") && strings.HasSuffix(name, ".m4s") {
			segs = append(segs, o.Key)
		}
	}
	if len(segs) == 0 {
		return "", fmt.Errorf("rendition %s of %s has no segments", rid, id)
	}
	sort.Strings(segs) // zero-padded numbers
	f, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for _, key := range append([]string{prefix + "init.mp4"}, segs...) {
		obj, err := p.store.Open(ctx, key)
		if err != nil {
			return "", fmt.Errorf("%s: %w", key, err)
		}
		_, err = io.Copy(f, obj)
		obj.Close()
		if err != nil {
			return "", err
		}
	}
	return dst, f.Close()
}
