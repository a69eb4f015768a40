package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/kinema/kinema/internal/caption"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// captionTypes are the content types a caption upload may declare; none at
// all is accepted too (curl --data-binary sends a form type, see below).
var captionTypes = map[string]bool{
	"text/vtt": true, "application/x-subrip": true, "application/x-srt": true, "text/srt": true,
	"application/srt": true, "text/plain": true, "application/octet-stream": true,
	// curl --data-binary without -H sends this; the body is still a file.
	"application/x-www-form-urlencoded": true,
}

// captionView is a text track as the API shows it, with the signed URL of
// its WebVTT when the video is ready.
type captionView struct {
	media.TextTrack
	URL string `json:"url,omitempty"`
}

// listCaptions lists a video's caption and subtitle tracks.
func (s *Server) listCaptions(w http.ResponseWriter, r *http.Request) {
	v, err := s.visibleVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	tracks, err := s.Catalog.TextTracks(r.Context(), v.ID)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	views, err := s.captionViews(r, v, tracks)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"captions": views})
}

func (s *Server) captionViews(r *http.Request, v media.Video, tracks []media.TextTrack) ([]captionView, error) {
	out := make([]captionView, 0, len(tracks))
	var hls string
	if v.Status == media.StatusReady && len(tracks) > 0 {
		vv, err := s.view(r, v, s.readNow())
		if err != nil {
			return nil, err
		}
		if vv.Playback != nil {
			hls = vv.Playback.HLS
		}
	}
	for _, t := range tracks {
		cv := captionView{TextTrack: t}
		// Every file of the video takes the same credential as its
		// playlist (a token query, or a CloudFront policy over the
		// video's directory).
		if dir, query, ok := strings.Cut(hls, "master.m3u8"); ok {
			cv.URL = dir + t.Dir() + "/all.vtt" + query
		}
		out = append(out, cv)
	}
	return out, nil
}

// addCaption stores an uploaded WebVTT or SubRip file as a text track
// (SubRip converted to WebVTT, both cleaned) and, when the video is ready,
// republishes its manifests.
func (s *Server) addCaption(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	q := r.URL.Query()
	lang, label, kind := strings.TrimSpace(q.Get("language")), strings.TrimSpace(q.Get("label")), q.Get("kind")
	if !media.ValidLanguage(lang) {
		writeError(w, s.Log, media.Inputf("language must be a BCP 47 tag such as en, fr or pt-BR."))
		return
	}
	if label == "" {
		label = lang
	}
	if !media.ValidLabel(label) {
		writeError(w, s.Log, media.Inputf("label must be 1 to 100 characters, without quotes or control characters."))
		return
	}
	switch kind {
	case "":
		kind = media.TextSubtitles
	case media.TextSubtitles, media.TextCaptions:
	default:
		writeError(w, s.Log, media.Inputf("kind must be subtitles or captions."))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !captionTypes[mt] {
			writeCode(w, http.StatusUnsupportedMediaType, "unsupported_media_type",
				"Send the caption file itself as the body, as text/vtt (WebVTT) or application/x-subrip (SRT).")
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, caption.MaxFileBytes+1))
	if err != nil {
		writeError(w, s.Log, media.Inputf("The body could not be read."))
		return
	}
	if len(body) > caption.MaxFileBytes {
		writeCode(w, http.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("A caption file may be at most %d KiB.", caption.MaxFileBytes>>10))
		return
	}
	cues, err := caption.Parse(body)
	var pe *caption.Error
	if errors.As(err, &pe) {
		writeError(w, s.Log, media.Inputf("The caption file cannot be read as WebVTT or SubRip: %s.", pe.Error()))
		return
	}
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if len(cues) == 0 {
		writeError(w, s.Log, media.Inputf("The caption file has no cues with text."))
		return
	}
	t, err := s.Catalog.AddTextTrack(r.Context(), v.ID, catalog.NewTextTrack{
		Language: lang, Label: label, Kind: kind, Origin: media.OriginUpload, Cues: len(cues), Body: caption.WriteVTT(cues),
	})
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.textChanged(r.Context(), v.ID); err != nil {
		writeError(w, s.Log, err)
		return
	}
	v, err = s.Catalog.Video(r.Context(), v.ID)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	views, err := s.captionViews(r, v, []media.TextTrack{t})
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, views[0])
}

// deleteCaption removes a text track and republishes the manifests.
func (s *Server) deleteCaption(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.Catalog.DeleteTextTrack(r.Context(), v.ID, r.PathValue("track")); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.textChanged(r.Context(), v.ID); err != nil {
		writeError(w, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type chaptersBody struct {
	Chapters []media.Chapter `json:"chapters"`
	Origin   string          `json:"origin,omitempty"`
}

// getChapters returns a video's chapters.
func (s *Server) getChapters(w http.ResponseWriter, r *http.Request) {
	v, err := s.visibleVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	chapters, origin, err := s.Catalog.Chapters(r.Context(), v.ID)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, chaptersBody{Chapters: chapters, Origin: origin})
}

// putChapters replaces a video's chapters (an empty list removes them);
// chapters set here win over the source's.
func (s *Server) putChapters(w http.ResponseWriter, r *http.Request) {
	var req chaptersBody
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	v, err := s.editableVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	for i := range req.Chapters {
		req.Chapters[i].Title = strings.TrimSpace(req.Chapters[i].Title)
	}
	duration := 0.0
	if v.Status == media.StatusReady {
		duration = v.Duration
	}
	if err := media.CheckChapters(req.Chapters, duration); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.Catalog.SetChapters(r.Context(), v.ID, req.Chapters); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.textChanged(r.Context(), v.ID); err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.getChapters(w, r)
}

// textChanged republishes a ready video's text tracks and chapters.
func (s *Server) textChanged(ctx context.Context, videoID string) error {
	if s.TextChangedFunc == nil {
		return nil
	}
	return s.TextChangedFunc(ctx, videoID)
}
