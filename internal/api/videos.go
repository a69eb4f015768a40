package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/upload"
)

// videoView is the API's video JSON: the catalog's video plus what is
// computed per request (ETA, signed URLs).
type videoView struct {
	media.Video
	ETASeconds *float64           `json:"eta_seconds,omitempty"`
	Playback   *delivery.Playback `json:"playback,omitempty"`
	Upload     *upload.Grant      `json:"upload,omitempty"`
}

func (s *Server) view(r *http.Request, v media.Video) (videoView, error) {
	out := videoView{Video: v}
	if eta, ok := v.ETA(s.Now()); ok {
		out.ETASeconds = &eta
	}
	switch v.Status {
	case media.StatusReady:
		pb, err := s.PlaybackFunc(s.baseURL(r), v)
		if err != nil {
			return out, err
		}
		out.Playback = &pb
	case media.StatusWaitingUpload:
		g, err := s.Uploads.Grant(s.baseURL(r), v.ID)
		if err != nil {
			return out, err
		}
		out.Upload = &g
	}
	return out, nil
}

type createVideoRequest struct {
	Title string `json:"title"`
}

func (s *Server) createVideo(w http.ResponseWriter, r *http.Request) {
	var req createVideoRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil && err != io.EOF {
		writeError(w, s.Log, media.Inputf("The body must be JSON like {\"title\": \"My video\"}."))
		return
	}
	req.Title = strings.TrimSpace(req.Title)
	if !utf8.ValidString(req.Title) || utf8.RuneCountInString(req.Title) > 300 {
		writeError(w, s.Log, media.Inputf("The title must be valid text of at most 300 characters."))
		return
	}
	if req.Title == "" {
		req.Title = "Untitled"
	}
	v, err := s.Catalog.CreateVideo(r.Context(), req.Title)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeVideo(w, r, http.StatusCreated, v)
}

func (s *Server) getVideo(w http.ResponseWriter, r *http.Request) {
	v, err := s.Catalog.Video(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeVideo(w, r, http.StatusOK, v)
}

func (s *Server) writeVideo(w http.ResponseWriter, r *http.Request, status int, v media.Video) {
	out, err := s.view(r, v)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, status, out)
}

func (s *Server) listVideos(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := catalog.ListFilter{Status: media.Status(q.Get("status")), Query: q.Get("q")}
	if f.Status != "" && !f.Status.Valid() {
		writeError(w, s.Log, media.Inputf("Unknown status %q.", f.Status))
		return
	}
	if l := q.Get("limit"); l != "" {
		if _, err := fmt.Sscanf(l, "%d", &f.Limit); err != nil || f.Limit < 1 {
			writeError(w, s.Log, media.Inputf("limit must be a positive number."))
			return
		}
	}
	videos, err := s.Catalog.ListVideos(r.Context(), f)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	views := make([]videoView, 0, len(videos))
	for _, v := range videos {
		vv, err := s.view(r, v)
		if err != nil {
			writeError(w, s.Log, err)
			return
		}
		views = append(views, vv)
	}
	writeJSON(w, http.StatusOK, map[string]any{"videos": views})
}

func (s *Server) deleteVideo(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.Catalog.DeleteVideo(r.Context(), id); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.DeleteMediaFunc(r.Context(), id); err != nil {
		s.Log.Warn("delete media", "video", id, "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) retryVideo(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.RetryFunc(r.Context(), id); err != nil {
		writeError(w, s.Log, err)
		return
	}
	v, err := s.Catalog.Video(r.Context(), id)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeVideo(w, r, http.StatusAccepted, v)
}
