package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/kinema/kinema/internal/media"
)

// Posters makes and publishes a video's chosen poster. The pictures are
// JPEGs made by ffmpeg: a frame of the published video, or an uploaded
// image decoded and re-encoded, never the uploaded bytes.
type Posters interface {
	// PosterAt returns a JPEG of v's frame at t seconds. Errors: an
	// *ImageError-like error carrying an HTTP status (see PosterError) or
	// media.ErrInvalid for a time outside the video.
	PosterAt(ctx context.Context, v media.Video, t float64) ([]byte, error)
	// PosterFromImage checks and re-encodes an uploaded image; refusals
	// are PosterErrors.
	PosterFromImage(ctx context.Context, image []byte) ([]byte, error)
	// PublishPoster stores jpg as media/<id>/name.
	PublishPoster(ctx context.Context, videoID, name string, jpg []byte) error
	// RemovePoster deletes media/<id>/name (a poster no longer used).
	RemovePoster(ctx context.Context, videoID, name string) error
	// NewPosterName returns a name never used before, so caches of an older
	// poster never show it for the new one.
	NewPosterName() string
}

// PosterError is a refused poster with the status to answer.
type PosterError interface {
	error
	HTTPStatus() int
}

// maxPosterBody bounds what is read of a poster upload: the image limit
// plus room for a multipart envelope; the image limit itself is checked by
// Posters.
const maxPosterBody = 8<<20 + 64<<10

// putPoster sets a ready video's poster: {"time": 12.5} takes the frame at
// that time; an image (the raw body as image/jpeg, image/png, image/webp or
// application/octet-stream, or a multipart form's "image" file) is checked
// and re-encoded. The published poster gets a new name each time.
func (s *Server) putPoster(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if s.Posters == nil {
		writeCode(w, http.StatusNotImplemented, "not_implemented", "Posters cannot be changed on this server.")
		return
	}
	if v.Status != media.StatusReady || v.Kind == media.KindAudio {
		writeCode(w, http.StatusConflict, "conflict", "A poster can be chosen once the video is ready, and only for a video with a picture.")
		return
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var jpg []byte
	switch mt {
	case "application/json":
		var body struct {
			Time *float64 `json:"time"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
		if err := dec.Decode(&body); err != nil || body.Time == nil {
			writeError(w, s.Log, media.Inputf(`Send {"time": seconds} to use a frame, or the image itself.`))
			return
		}
		t := *body.Time
		if math.IsNaN(t) || t < 0 || t >= v.Duration {
			writeError(w, s.Log, media.Inputf("time must be between 0 and %.1f seconds.", v.Duration))
			return
		}
		jpg, err = s.Posters.PosterAt(r.Context(), v, t)
	case "multipart/form-data":
		var data []byte
		data, err = readPart(r, params["boundary"])
		if err == nil {
			jpg, err = s.Posters.PosterFromImage(r.Context(), data)
		}
	case "image/jpeg", "image/png", "image/webp", "application/octet-stream", "":
		var data []byte
		data, err = io.ReadAll(io.LimitReader(r.Body, maxPosterBody+1))
		if err == nil {
			jpg, err = s.Posters.PosterFromImage(r.Context(), data)
		}
	default:
		writeCode(w, http.StatusUnsupportedMediaType, "unsupported_media_type",
			`Send {"time": seconds} as JSON, or a JPEG, PNG or WebP image (the body itself or a multipart "image" file).`)
		return
	}
	var pe PosterError
	if errors.As(err, &pe) {
		writeCode(w, pe.HTTPStatus(), posterCode(pe.HTTPStatus()), pe.Error())
		return
	}
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.setPoster(w, r, v, jpg)
}

func posterCode(status int) string {
	switch status {
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	}
	return "invalid"
}

// readPart returns the "image" (or first file) part of a multipart body.
func readPart(r *http.Request, boundary string) ([]byte, error) {
	if boundary == "" {
		return nil, media.Inputf("The multipart body has no boundary.")
	}
	p, err := formFile(multipart.NewReader(io.LimitReader(r.Body, maxPosterBody+1), boundary), "image")
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(p)
	if err != nil {
		return nil, media.Inputf("The multipart body cannot be read.")
	}
	return data, nil
}

// formFile is the first part of a multipart form that is a file or the
// form field named field.
func formFile(mr *multipart.Reader, field string) (io.Reader, error) {
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, media.Inputf("The form has no file (field %q).", field)
		}
		if err != nil {
			return nil, media.Inputf("The multipart body cannot be read.")
		}
		if p.FormName() == field || p.FileName() != "" {
			return p, nil
		}
	}
}

// setPoster publishes jpg under a new name, records it, removes the poster
// it replaces and answers the video.
func (s *Server) setPoster(w http.ResponseWriter, r *http.Request, v media.Video, jpg []byte) {
	name := s.Posters.NewPosterName()
	if err := s.Posters.PublishPoster(r.Context(), v.ID, name, jpg); err != nil {
		writeError(w, s.Log, err)
		return
	}
	previous, err := s.Catalog.SetPoster(r.Context(), v.ID, name)
	if err != nil {
		_ = s.Posters.RemovePoster(context.WithoutCancel(r.Context()), v.ID, name)
		writeError(w, s.Log, err)
		return
	}
	s.dropPoster(r, v.ID, previous)
	s.answerVideo(w, r, v.ID)
}

// dropPoster removes video id's replaced chosen poster, if any.
func (s *Server) dropPoster(r *http.Request, id, poster string) {
	if poster == "" {
		return
	}
	if err := s.Posters.RemovePoster(context.WithoutCancel(r.Context()), id, poster); err != nil {
		s.Log.Warn("remove replaced poster", "video", id, "poster", poster, "err", err)
	}
}

// deletePoster goes back to the poster the pipeline made.
func (s *Server) deletePoster(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if s.Posters == nil {
		writeCode(w, http.StatusNotImplemented, "not_implemented", "Posters cannot be changed on this server.")
		return
	}
	previous, err := s.Catalog.SetPoster(r.Context(), v.ID, "")
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.dropPoster(r, v.ID, previous)
	s.answerVideo(w, r, v.ID)
}

// getPoster redirects to a freshly signed URL of the video's poster: a
// permanent address for it (oEmbed's thumbnail_url), for whoever may see
// the video.
func (s *Server) getPoster(w http.ResponseWriter, r *http.Request) {
	v, err := s.visibleVideo(r)
	if err == nil && (v.Status != media.StatusReady || v.Kind == media.KindAudio) {
		err = fmt.Errorf("poster: %w", media.ErrNotFound)
	}
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	vv, err := s.view(r, v, s.readNow())
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if vv.Playback == nil || vv.Playback.Poster == "" {
		writeError(w, s.Log, fmt.Errorf("poster: %w", media.ErrNotFound))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, vv.Playback.Poster, http.StatusFound)
}

// answerVideo writes video id as the API shows it.
func (s *Server) answerVideo(w http.ResponseWriter, r *http.Request, id string) {
	readAt := s.readNow()
	v, err := s.Catalog.Video(r.Context(), id)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	vv, err := s.view(r, v, readAt)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, vv)
}
