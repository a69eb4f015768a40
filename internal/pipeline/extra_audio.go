package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
)

// Audio tracks added after upload (#14): an audio file in another language
// is encoded like the video's own audio renditions (AAC, the same bitrate
// and sample rate, on the same segment grid) into one more rendition, then
// the two manifests are rewritten to list it. The video is never
// re-encoded. The rendition's files are stored before any manifest names
// them, and a manifest is replaced whole (one object written at once), so
// players see either the old or the new track list, never a half-published
// one; removing a track rewrites the manifests first and deletes its files
// after.

// KindAddAudio encodes and publishes an added audio track.
const KindAddAudio = "add_audio"

// AddAudioArgs names an added audio track to encode and publish.
type AddAudioArgs struct {
	VideoID string `json:"video_id"`
	TrackID string `json:"track_id"`
}

// Kind implements river.JobArgs.
func (AddAudioArgs) Kind() string { return KindAddAudio }

func audioUploadKey(videoID, id string) string { return "raw/" + videoID + "/audio-" + id }

// AddAudio checks the audio file at path (probed with the same hardening as
// uploads: it must hold an audio stream lasting about as long as the
// video), stores it beside the video's source and queues the durable job
// that encodes and publishes it. The video must be ready and have a
// picture. Refusals are media input errors (400), or media.ErrConflict.
func (p *Pipeline) AddAudio(ctx context.Context, videoID, language, name, file string) (media.AudioUpload, error) {
	v, err := p.cat.Video(ctx, videoID)
	if err != nil {
		return media.AudioUpload{}, err
	}
	if v.Status != media.StatusReady || v.Kind != media.KindVideo {
		return media.AudioUpload{}, fmt.Errorf("add audio to %s: %w", videoID, media.ErrConflict)
	}
	src, err := p.ff.Probe(ctx, file)
	if err != nil {
		return media.AudioUpload{}, err
	}
	if !src.HasAudio {
		return media.AudioUpload{}, media.Inputf("The file has no audio stream.")
	}
	if media.AudioDurationMismatch(src.Duration, v.Duration) {
		return media.AudioUpload{}, media.Inputf("The audio lasts %.1f s but the video %.1f s; an added audio track must be as long as the video (within a second or 2%%).",
			src.Duration, v.Duration)
	}
	a := media.AudioUpload{ID: catalog.NewAudioUploadID(), VideoID: videoID, Language: language, Name: name, Duration: src.Duration}
	a.SourceKey = audioUploadKey(videoID, a.ID)
	f, err := os.Open(file)
	if err != nil {
		return a, err
	}
	_, err = p.cfg.RawStore.Put(ctx, a.SourceKey, f)
	f.Close()
	if err != nil {
		return a, err
	}
	err = p.queue.InTx(ctx, func(tx *queue.Tx) error {
		var err error
		if a, err = tx.Catalog.AddAudioUpload(ctx, a); err != nil {
			return err
		}
		return tx.Insert(ctx, river.InsertManyParams{Args: AddAudioArgs{VideoID: videoID, TrackID: a.ID}, InsertOpts: insertOpts(p.cfg.MaxAttempts)})
	})
	if err != nil {
		_ = p.cfg.RawStore.Delete(context.WithoutCancel(ctx), audioUploadKey(videoID, a.ID))
		return a, err
	}
	return a, nil
}

// DeleteAudio removes an added audio track: the manifests and the video's
// renditions first (so no player is sent to files about to go), then its
// files and its stored upload.
func (p *Pipeline) DeleteAudio(ctx context.Context, videoID, id string) error {
	if _, err := p.cat.AudioUpload(ctx, videoID, id); err != nil {
		return err
	}
	// The row goes first, so an add_audio job still encoding it publishes
	// nothing; the track's rendition is named by its id, and is taken out
	// of the manifests whether or not the catalog had recorded it yet (the
	// job may be between its republish and its record).
	if err := p.cat.DeleteAudioUpload(ctx, videoID, id); err != nil {
		return err
	}
	if err := p.republish(ctx, videoID, func(rs []media.Rendition) []media.Rendition {
		if !slices.ContainsFunc(rs, func(r media.Rendition) bool { return r.ID == id }) {
			return nil
		}
		return slices.DeleteFunc(rs, func(r media.Rendition) bool { return r.ID == id })
	}); err != nil && !errors.Is(err, media.ErrConflict) { // not ready: no manifest lists it
		return err
	}
	return p.removeAudioFiles(ctx, videoID, id)
}

func (p *Pipeline) removeAudioFiles(ctx context.Context, videoID, id string) error {
	ctx = context.WithoutCancel(ctx)
	err := p.store.DeletePrefix(ctx, mediaPrefix(videoID)+id+"/")
	if derr := p.cfg.RawStore.Delete(ctx, audioUploadKey(videoID, id)); derr != nil && !errors.Is(derr, storage.ErrNotFound) {
		err = errors.Join(err, derr)
	}
	return err
}

func (p *Pipeline) addAudio(ctx context.Context, job *river.Job[AddAudioArgs]) error {
	err := p.doAddAudio(ctx, job)
	if err == nil {
		return nil
	}
	args := job.Args
	log := p.log.With("video", args.VideoID, "audio_track", args.TrackID, "step", KindAddAudio, "job", job.ID, "attempt", job.Attempt)
	if errors.Is(ctx.Err(), context.Canceled) {
		return river.JobSnooze(time.Second)
	}
	var in *media.InputError
	if !errors.As(err, &in) && job.Attempt < job.MaxAttempts {
		log.Warn("adding an audio track failed; will retry", "err", err)
		return err
	}
	// The video stays as it was, its manifests untouched.
	reason := "The audio track could not be processed."
	if in != nil {
		reason = in.Reason
	}
	log.Error("adding an audio track failed for good", "err", err)
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, ferr := p.cat.FinishAudioUpload(fctx, args.VideoID, args.TrackID, media.AudioUploadFailed, "", reason); ferr != nil {
		log.Error("recording the failed audio track", "err", ferr)
	}
	_ = p.store.DeletePrefix(fctx, mediaPrefix(args.VideoID)+args.TrackID+"/")
	return river.JobCancel(err)
}

// doAddAudio encodes the added track into its rendition, stores it, and
// republishes the manifests with it.
func (p *Pipeline) doAddAudio(ctx context.Context, job *river.Job[AddAudioArgs]) error {
	args := job.Args
	a, err := p.cat.AudioUpload(ctx, args.VideoID, args.TrackID)
	if errors.Is(err, media.ErrNotFound) {
		return nil // deleted meanwhile
	}
	if err != nil || a.Status != media.AudioUploadProcessing {
		return err
	}
	v, err := p.cat.Video(ctx, args.VideoID)
	if errors.Is(err, media.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if v.Status != media.StatusReady {
		return media.Inputf("The video is no longer ready.")
	}
	plan, _, _, err := p.cat.Plan(ctx, v.ID)
	if err != nil {
		return err
	}
	r := p.addedRendition(v, a)
	dir, err := p.scratch(job.ID)
	if err != nil {
		return err
	}
	defer removeAll(dir)
	src := filepath.Join(dir, "source")
	if err := copyFrom(ctx, p.cfg.RawStore, a.SourceKey, src); err != nil {
		return err
	}
	probed, err := p.ff.Probe(ctx, src)
	if err != nil {
		return err
	}
	if !probed.HasAudio {
		return media.Inputf("The file has no audio stream.")
	}
	if probed.AudioChannels == 1 {
		r.Channels = 1 // mono stays mono, as for sources
	}
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(filepath.Join(out, r.ID), 0o750); err != nil {
		return err
	}
	one := media.Plan{Duration: v.Duration, SegmentSeconds: plan.SegmentSeconds, Audio: []media.Rendition{r}}
	if err := p.ff.Run(ctx, ffmpeg.AudioArgs(one, src, out), nil); err != nil {
		return fmt.Errorf("encode added audio: %w", err)
	}
	rdir := filepath.Join(out, r.ID)
	if err := fixTargetDuration(filepath.Join(rdir, "index.m3u8")); err != nil {
		return err
	}
	pl, err := readPlaylist(filepath.Join(rdir, "index.m3u8"))
	if err != nil {
		return err
	}
	if len(pl.Segments) == 0 || media.AudioDurationMismatch(pl.Duration(), v.Duration) {
		return media.Inputf("The audio lasts %.1f s but the video %.1f s; an added audio track must be as long as the video (within a second or 2%%).",
			pl.Duration(), v.Duration)
	}
	init, err := os.ReadFile(filepath.Join(rdir, "init.mp4"))
	if err != nil {
		return err
	}
	if r.Codecs, err = ffmpeg.CodecsFromInit(init); err != nil {
		return err
	}
	if r.AverageBandwidth, r.PeakBandwidth, err = bandwidth(rdir, pl); err != nil {
		return err
	}
	if err := queue.CheckLease(ctx); err != nil {
		return err
	}
	if err := storage.PutDir(ctx, p.store, mediaPrefix(v.ID)+r.ID+"/", rdir); err != nil {
		return err
	}
	published := false
	err = p.republish(ctx, v.ID, func(rs []media.Rendition) []media.Rendition {
		// Deleted while it was encoding: publish nothing.
		if cur, err := p.cat.AudioUpload(ctx, v.ID, a.ID); err != nil || cur.Status != media.AudioUploadProcessing {
			return nil
		}
		published = true
		return append(slices.DeleteFunc(rs, func(x media.Rendition) bool { return x.ID == r.ID }), r)
	})
	if err != nil {
		return err
	}
	if !published {
		return p.removeAudioFiles(ctx, v.ID, a.ID)
	}
	done, err := p.cat.FinishAudioUpload(ctx, v.ID, a.ID, media.AudioUploadReady, r.ID, "")
	if err != nil {
		return err
	}
	if !done { // deleted between the two: take it out again
		if err := p.republish(ctx, v.ID, func(rs []media.Rendition) []media.Rendition {
			return slices.DeleteFunc(rs, func(x media.Rendition) bool { return x.ID == r.ID })
		}); err != nil {
			return err
		}
		return p.removeAudioFiles(ctx, v.ID, a.ID)
	}
	p.log.Info("audio track added", "video", v.ID, "track", a.ID, "language", a.Language, "duration", pl.Duration())
	return nil
}

// addedRendition is the rendition an added track becomes: like the video's
// default stereo (or mono) audio rendition, in its own directory named by
// the track's id.
func (p *Pipeline) addedRendition(v media.Video, a media.AudioUpload) media.Rendition {
	r := media.Rendition{Bitrate: p.cfg.Ladder.AudioBitrate, SampleRate: 48000}
	if r.Bitrate == 0 {
		r.Bitrate = media.DefaultLadderConfig().AudioBitrate
	}
	for _, x := range v.Renditions {
		if x.Type == media.KindAudio && x.Channels <= 2 && x.Bitrate > 0 {
			r.Bitrate, r.SampleRate = x.Bitrate, max(x.SampleRate, 8000)
			if x.Default {
				break
			}
		}
	}
	r.ID, r.Type, r.Channels, r.Track = a.ID, media.KindAudio, 2, 0
	r.Language, r.Name = a.Language, a.Name
	return r
}

// republish rewrites video id's two manifests for the renditions change
// returns (nil: leave everything as it is) and records them. Both
// manifests are made in memory from the published playlists before either
// is written; an error before that leaves the old ones. Text tracks stay
// listed as they were published.
func (p *Pipeline) republish(ctx context.Context, id string, change func([]media.Rendition) []media.Rendition) error {
	p.textMu.Lock()
	defer p.textMu.Unlock()
	// A delete meanwhile must not leave these writes (or a new track's
	// files stored before this call) behind.
	defer p.sweepIfDeleted(ctx, id)
	v, err := p.cat.Video(ctx, id)
	if err != nil {
		return err
	}
	if v.Status != media.StatusReady || len(v.Renditions) == 0 {
		return fmt.Errorf("republish %s: %w", id, media.ErrConflict)
	}
	rs := change(slices.Clone(v.Renditions))
	if rs == nil {
		return nil
	}
	sink := storeSink{ctx: ctx, store: p.store, prefix: mediaPrefix(id)}
	playlists := make(map[string]manifest.MediaPlaylist, len(rs))
	for _, r := range rs {
		raw, err := sink.get(path.Join(r.ID, "index.m3u8"))
		if err != nil {
			return fmt.Errorf("rendition %s of %s: %w", r.ID, id, err)
		}
		if playlists[r.ID], err = manifest.ParseMediaPlaylist(bytes.NewReader(raw)); err != nil {
			return fmt.Errorf("rendition %s of %s: %w", r.ID, id, err)
		}
	}
	var master, mpd bytes.Buffer
	if err := manifest.WriteMaster(&master, rs); err != nil {
		return err
	}
	if err := manifest.WriteMPD(&mpd, playlists[rs[0].ID].Duration(), rs, playlists); err != nil {
		return err
	}
	text, err := p.publishedText(ctx, sink, id)
	if err != nil {
		return err
	}
	masterOut := manifest.SetSubtitles(master.Bytes(), text)
	mpdOut, err := manifest.SetTextSets(mpd.Bytes(), text)
	if err != nil {
		return err
	}
	// The MPD first: hls.js and Shaka read one or the other, and each is
	// whole; the catalog's list follows what is served.
	if err := sink.put("manifest.mpd", mpdOut); err != nil {
		return err
	}
	if err := sink.put("master.m3u8", masterOut); err != nil {
		return err
	}
	return p.cat.SetRenditions(ctx, id, rs)
}

// publishedText lists the video's text tracks whose files are published,
// as the manifests name them.
func (p *Pipeline) publishedText(ctx context.Context, sink storeSink, id string) ([]manifest.TextTrack, error) {
	st, err := p.textState(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []manifest.TextTrack
	for _, t := range st.tracks {
		ok, err := sink.exists(path.Join(t.Dir(), "index.m3u8"))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, manifest.TextTrack{Dir: t.Dir(), Language: t.Language, Name: t.Label, Captions: t.Kind == media.TextCaptions})
		}
	}
	return out, nil
}

// copyFrom copies key of store to the local file dst.
func copyFrom(ctx context.Context, store storage.Store, key, dst string) error {
	obj, err := store.Open(ctx, key)
	if err != nil {
		return err
	}
	defer obj.Close()
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := f.ReadFrom(obj); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
