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
	"strings"

	"github.com/kinema/kinema/internal/caption"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
)

// ChaptersFile is a video's WebVTT chapters track under media/<id>/.
const ChaptersFile = "chapters.vtt"

// extractText finds the source's text subtitle streams and chapters and
// turns the streams into clean WebVTT tracks. The source is hostile: the
// file goes through the same demuxer whitelist as every other read, the
// WebVTT ffmpeg writes through caption.Parse, and a stream that cannot be
// read costs only that stream (logged), never the video. Only a cancelled
// job returns an error.
func (p *Pipeline) extractText(ctx context.Context, ref Ref, src, dir string, duration float64) ([]catalog.NewTextTrack, []media.Chapter, error) {
	log := logWith(p.log, ref)
	info, err := p.ff.ProbeText(ctx, src)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		log.Warn("could not list the source's subtitles and chapters", "err", err)
		return nil, nil, nil
	}
	chapters := info.Chapters
	if err := media.CheckChapters(chapters, duration); err != nil {
		// Chapters past the end: keep those inside.
		chapters = slices.DeleteFunc(chapters, func(c media.Chapter) bool { return duration > 0 && c.Start >= duration })
		if media.CheckChapters(chapters, duration) != nil {
			chapters = nil
		}
	}
	if len(info.Streams) == 0 {
		return nil, chapters, nil
	}
	out := filepath.Join(dir, "text")
	if err := os.MkdirAll(out, 0o750); err != nil {
		return nil, nil, err
	}
	if err := p.ff.Run(ctx, ffmpeg.TextExtractArgs(src, info.Streams, out, duration), nil); err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		log.Warn("could not extract the source's subtitles", "err", err)
		return nil, chapters, nil
	}
	var tracks []catalog.NewTextTrack
	for _, s := range info.Streams {
		name := filepath.Join(out, ffmpeg.TextFile(s))
		st, err := os.Stat(name)
		if err != nil || st.Size() > caption.MaxFileBytes {
			log.Warn("subtitle stream skipped", "stream", s.Index, "err", err, "bytes", st.Size())
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, nil, err
		}
		cues, err := caption.Parse(data)
		if err != nil || len(cues) == 0 {
			log.Warn("subtitle stream skipped", "stream", s.Index, "codec", s.Codec, "err", err)
			continue
		}
		lang := languageTag(s.Language)
		label := strings.TrimSpace(strings.ReplaceAll(s.Title, `"`, "'"))
		if !media.ValidLabel(label) {
			label = languageName(lang)
		}
		kind := media.TextSubtitles
		if s.Hearing {
			kind = media.TextCaptions
		}
		tracks = append(tracks, catalog.NewTextTrack{Language: lang, Label: label, Kind: kind, Origin: media.OriginSource,
			Cues: len(cues), Body: caption.WriteVTT(cues)})
	}
	log.Info("text found in the source", "subtitle_streams", len(info.Streams), "tracks", len(tracks), "chapters", len(chapters))
	return tracks, chapters, nil
}

// iso639 maps the three-letter codes containers use to the two-letter
// BCP 47 ones players show, for common languages; others stay as they are.
var iso639 = map[string]string{
	"eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "spa": "es", "ita": "it", "por": "pt",
	"dut": "nl", "nld": "nl", "rus": "ru", "jpn": "ja", "chi": "zh", "zho": "zh", "kor": "ko", "ara": "ar",
	"pol": "pl", "swe": "sv", "nor": "no", "dan": "da", "fin": "fi", "tur": "tr", "gre": "el", "ell": "el",
	"heb": "he", "hin": "hi", "ukr": "uk", "cze": "cs", "ces": "cs", "hun": "hu", "rum": "ro", "ron": "ro",
}

// languageTag turns a container's language tag into BCP 47; "und" when
// there is none or it is not a tag.
func languageTag(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if two, ok := iso639[s]; ok {
		return two
	}
	if !media.ValidLanguage(s) {
		return "und"
	}
	return s
}

var languageNames = map[string]string{
	"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "it": "Italiano", "pt": "Português",
	"nl": "Nederlands", "ru": "Русский", "ja": "日本語", "zh": "中文", "ko": "한국어", "ar": "العربية",
	"pl": "Polski", "sv": "Svenska", "no": "Norsk", "da": "Dansk", "fi": "Suomi", "tr": "Türkçe", "el": "Ελληνικά",
	"he": "עברית", "hi": "हिन्दी", "uk": "Українська", "cs": "Čeština", "hu": "Magyar", "ro": "Română",
}

// languageName is a label for a track that has no title.
func languageName(tag string) string {
	base, _, _ := strings.Cut(tag, "-")
	if n, ok := languageNames[base]; ok {
		return n
	}
	if tag == "und" {
		return "Subtitles"
	}
	return tag
}

// textSink is where publishText writes: the packaging directory, or the
// store for a video already published.
type textSink interface {
	get(name string) ([]byte, error)
	put(name string, data []byte) error
	exists(name string) (bool, error)
	// removeOthers deletes text track directories not in keep.
	removeOthers(keep map[string]bool) error
}

type dirSink string

func (d dirSink) get(name string) ([]byte, error) { return os.ReadFile(filepath.Join(string(d), name)) }
func (d dirSink) put(name string, data []byte) error {
	full := filepath.Join(string(d), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
		return err
	}
	return os.WriteFile(full, data, 0o644)
}
func (d dirSink) exists(name string) (bool, error) {
	_, err := os.Stat(filepath.Join(string(d), filepath.FromSlash(name)))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
func (d dirSink) removeOthers(map[string]bool) error { return nil } // a fresh directory

type storeSink struct {
	ctx    context.Context
	store  storage.Store
	prefix string // media/<id>/
}

func (s storeSink) get(name string) ([]byte, error) {
	obj, err := s.store.Open(s.ctx, s.prefix+name)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(obj)
	return b.Bytes(), err
}
func (s storeSink) put(name string, data []byte) error {
	_, err := s.store.Put(s.ctx, s.prefix+name, bytes.NewReader(data))
	return err
}
func (s storeSink) exists(name string) (bool, error) {
	_, err := s.store.Stat(s.ctx, s.prefix+name)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
func (s storeSink) removeOthers(keep map[string]bool) error {
	objs, err := s.store.List(s.ctx, s.prefix+"text_")
	if err != nil {
		return err
	}
	gone := map[string]bool{}
	for _, o := range objs {
		dir, _, _ := strings.Cut(strings.TrimPrefix(o.Key, s.prefix), "/")
		if !keep[dir] && !gone[dir] {
			gone[dir] = true
			if err := s.store.DeletePrefix(s.ctx, s.prefix+dir+"/"); err != nil {
				return err
			}
		}
	}
	return nil
}

// textState is what publishText publishes; two equal states publish the
// same files.
type textState struct {
	tracks   []media.TextTrack
	chapters []media.Chapter
}

func (p *Pipeline) textState(ctx context.Context, videoID string) (textState, error) {
	tracks, err := p.cat.TextTracks(ctx, videoID)
	if err != nil {
		return textState{}, err
	}
	chapters, _, err := p.cat.Chapters(ctx, videoID)
	return textState{tracks, chapters}, err
}

func (s textState) equal(o textState) bool {
	return slices.Equal(s.tracks, o.tracks) && slices.Equal(s.chapters, o.chapters)
}

// publishText writes the video's text tracks (an HLS subtitle playlist cut
// like the video's segments, the segments, and the whole file for DASH),
// its chapters track, and lists the tracks in master.m3u8 and
// manifest.mpd. A track's files never change once written (a new upload is
// a new track), so tracks already in the sink are skipped; its playlist is
// written last, so it exists only when the segments do.
func (p *Pipeline) publishText(ctx context.Context, sink textSink, videoID string, st textState, segments []float64, duration float64) error {
	var entries []manifest.TextTrack
	keep := map[string]bool{}
	for _, t := range st.tracks {
		dir := t.Dir()
		keep[dir] = true
		entries = append(entries, manifest.TextTrack{Dir: dir, Language: t.Language, Name: t.Label, Captions: t.Kind == media.TextCaptions})
		done, err := sink.exists(path.Join(dir, "index.m3u8"))
		if err != nil {
			return err
		}
		if done {
			continue
		}
		body, err := p.cat.TextTrackBody(ctx, videoID, t.ID)
		if errors.Is(err, media.ErrNotFound) {
			continue // deleted meanwhile; the next state check sees it
		}
		if err != nil {
			return err
		}
		cues, err := caption.Parse(body)
		if err != nil {
			return fmt.Errorf("text track %s: %w", t.ID, err)
		}
		if err := sink.put(path.Join(dir, manifest.WholeFile), caption.WriteVTT(cues)); err != nil {
			return err
		}
		for i, s := range caption.Segments(cues, segments) {
			if err := sink.put(path.Join(dir, manifest.SubtitleSegment(i)), s.VTT); err != nil {
				return err
			}
		}
		var pl bytes.Buffer
		if err := manifest.WriteSubtitlePlaylist(&pl, segments); err != nil {
			return err
		}
		if err := sink.put(path.Join(dir, "index.m3u8"), pl.Bytes()); err != nil {
			return err
		}
	}
	if err := sink.put(ChaptersFile, caption.ChaptersVTT(st.chapters, duration)); err != nil {
		return err
	}
	master, err := sink.get("master.m3u8")
	if err != nil {
		return err
	}
	if err := sink.put("master.m3u8", manifest.SetSubtitles(master, entries)); err != nil {
		return err
	}
	mpd, err := sink.get("manifest.mpd")
	if err != nil {
		return err
	}
	if mpd, err = manifest.SetTextSets(mpd, entries); err != nil {
		return err
	}
	if err := sink.put("manifest.mpd", mpd); err != nil {
		return err
	}
	return sink.removeOthers(keep)
}

// packageText publishes the text tracks into the packaging directory out,
// cut like the first rendition's segments.
func (p *Pipeline) packageText(ctx context.Context, videoID, out string, renditions []media.Rendition, duration float64) error {
	pl, err := readPlaylist(filepath.Join(out, renditions[0].ID, "index.m3u8"))
	if err != nil {
		return err
	}
	st, err := p.textState(ctx, videoID)
	if err != nil {
		return err
	}
	return p.publishText(ctx, dirSink(out), videoID, st, segmentDurations(pl), duration)
}

func segmentDurations(pl manifest.MediaPlaylist) []float64 {
	d := make([]float64, len(pl.Segments))
	for i, s := range pl.Segments {
		d[i] = s.Duration
	}
	return d
}

// RefreshText republishes a ready video's captions and chapters after one
// was added or removed, without touching its audio or video: the track
// files in the store, and the two manifests. A video that is not ready
// is left alone (its packaging reads the catalog, and publish refreshes
// once more). It repeats while the catalog changes under it, so two
// changes at once both end up published.
func (p *Pipeline) RefreshText(ctx context.Context, videoID string) (err error) {
	p.textMu.Lock()
	defer p.textMu.Unlock()
	v, err := p.cat.Video(ctx, videoID)
	if err != nil || v.Status != media.StatusReady || len(v.Renditions) == 0 {
		return err
	}
	sink := storeSink{ctx: ctx, store: p.store, prefix: mediaPrefix(videoID)}
	raw, err := sink.get(path.Join(v.Renditions[0].ID, "index.m3u8"))
	if err != nil {
		return err
	}
	pl, err := manifest.ParseMediaPlaylist(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	st, err := p.textState(ctx, videoID)
	if err != nil {
		return err
	}
	defer func() {
		if p.sweepIfDeleted(ctx, videoID) {
			err = nil // deleted meanwhile: nothing left to publish
		}
	}()
	for range 5 {
		if err := p.publishText(ctx, sink, videoID, st, segmentDurations(pl), v.Duration); err != nil {
			return err
		}
		now, err := p.textState(ctx, videoID)
		if err != nil || now.equal(st) {
			return err
		}
		st = now
	}
	return nil
}

// sweepIfDeleted removes the video's media again, and says so, when the
// video was deleted while they were being rewritten: the delete's own sweep
// may have run before the last write. Writes done before this check that
// the delete followed are removed by the delete itself.
func (p *Pipeline) sweepIfDeleted(ctx context.Context, videoID string) bool {
	if _, err := p.cat.Video(ctx, videoID); !errors.Is(err, media.ErrNotFound) {
		return false
	}
	if err := p.store.DeletePrefix(context.WithoutCancel(ctx), mediaPrefix(videoID)); err != nil {
		p.log.Warn("media of a deleted video not removed", "video", videoID, "err", err)
	}
	return true
}
