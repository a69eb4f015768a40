package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

// Download file paths under /media/<id>/ (pipeline.DownloadMP4/M4A).
const (
	downloadMP4 = "download/video.mp4"
	downloadM4A = "download/audio.m4a"
)

// downloadsView is what the API shows of a video's downloads: whether the
// owner offers them, where making them stands and, once made, signed URLs
// served as attachments (MP4: top rendition with the default audio; M4A:
// that audio alone). Original is the uploaded file, for its owner and
// admins only.
type downloadsView struct {
	Enabled  bool   `json:"enabled"`
	Status   string `json:"status,omitempty"`
	MP4      string `json:"mp4,omitempty"`
	M4A      string `json:"m4a,omitempty"`
	Original string `json:"original,omitempty"`
}

// downloads returns the downloads part of v's view, given its playback
// URLs (nil when not ready); nil when there is nothing to show.
func (s *Server) downloads(r *http.Request, v media.Video, pb *delivery.Playback) *downloadsView {
	editor := access.CanEdit(principalOf(r), v.Resource())
	if v.Downloads == media.DownloadsOff && !editor {
		return nil
	}
	d := &downloadsView{Enabled: v.Downloads != media.DownloadsOff, Status: string(v.Downloads)}
	if editor && v.Status != media.StatusWaitingUpload {
		d.Original = s.baseURL(r) + "/api/v1/videos/" + url.PathEscape(v.ID) + "/original"
	}
	if v.Downloads == media.DownloadsReady && pb != nil {
		if v.Kind != media.KindAudio {
			d.MP4 = siblingURL(pb.HLS, downloadMP4, v.Title)
		}
		d.M4A = siblingURL(pb.HLS, downloadM4A, v.Title)
	}
	return d
}

// siblingURL turns the signed URL of master.m3u8 into the URL of another
// file of the same video: the token (or, under a playback cookie, no
// query) covers every file of the video. title becomes the suggested file
// name (delivery cleans it).
func siblingURL(master, rel, title string) string {
	u, err := url.Parse(master)
	if err != nil {
		return ""
	}
	u.Path = strings.TrimSuffix(u.Path, "master.m3u8") + rel
	u.RawPath = ""
	q := u.RawQuery
	if q != "" {
		q += "&"
	}
	u.RawQuery = q + "filename=" + url.QueryEscape(title)
	return u.String()
}

type downloadsRequest struct {
	Enabled *bool `json:"enabled"`
}

// putDownloads turns a video's downloads on or off (owner or admin).
func (s *Server) putDownloads(w http.ResponseWriter, r *http.Request) {
	var req downloadsRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if req.Enabled == nil {
		writeError(w, s.Log, media.Inputf("Send {\"enabled\": true} or {\"enabled\": false}."))
		return
	}
	if _, err := s.editableVideo(r); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if s.DownloadsFunc == nil {
		writeError(w, s.Log, errors.New("downloads are not wired"))
		return
	}
	readAt := s.readNow()
	v, err := s.DownloadsFunc(r.Context(), r.PathValue("id"), *req.Enabled)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeVideo(w, r, http.StatusOK, v, readAt)
}

// getOriginal sends the uploaded file as an attachment, to its owner and
// admins only: anyone else gets 404, as for a video they may not see.
func (s *Server) getOriginal(w http.ResponseWriter, r *http.Request) {
	v, err := s.visibleVideo(r)
	if err == nil && !access.CanEdit(principalOf(r), v.Resource()) {
		err = fmt.Errorf("original of %s: %w", v.ID, media.ErrNotFound)
	}
	if err == nil && v.Status == media.StatusWaitingUpload {
		err = fmt.Errorf("original of %s: not uploaded: %w", v.ID, media.ErrNotFound)
	}
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if s.OpenOriginalFunc == nil {
		writeError(w, s.Log, errors.New("original downloads are not wired"))
		return
	}
	key, _, err := s.Catalog.Source(r.Context(), v.ID)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	obj, err := s.OpenOriginalFunc(r.Context(), key)
	if errors.Is(err, storage.ErrNotFound) {
		err = fmt.Errorf("original of %s: %w", v.ID, media.ErrNotFound)
	}
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	defer obj.Close()
	h := w.Header()
	// Never rendered by the browser: whatever was uploaded is saved.
	h.Set("Content-Type", "application/octet-stream")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": originalName(v.Title)}))
	h.Set("Content-Length", strconv.FormatInt(obj.Info().Size, 10))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, obj)
	}
}

// originalName is a safe file name for the original from the title, which
// titles default to the uploaded file's name.
func originalName(title string) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\' || r == '"' || r < 0x20 || r == 0x7f:
			return '_'
		}
		return r
	}, strings.TrimSpace(title))
	if name == "" || strings.Trim(name, ".") == "" {
		return "original"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// OpenOriginalFunc is Server.OpenOriginalFunc's type: it opens an
// uploaded source by its store key.
type OpenOriginalFunc func(ctx context.Context, key string) (storage.Object, error)
