package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kinema/kinema/internal/access"
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
	Downloads  *downloadsView     `json:"downloads,omitempty"`
}

// readNow is the issue time of grants for videos about to be read: taken
// before the read, so a grant for a video read just before its sharing
// narrowed is older than the narrowing and refused with the rest. Grants
// naming a user take the earlier time that user was read (grantTime).
func (s *Server) readNow() time.Time { return s.Catalog.Now() }

// view is what the API shows of v, read at readAt (readNow).
func (s *Server) view(r *http.Request, v media.Video, readAt time.Time) (videoView, error) {
	out := videoView{Video: v}
	if !access.CanEdit(principalOf(r), v.Resource()) {
		// Who else a video is shared with is its owner's business.
		out.AllowedUsers, out.AllowedGroups = []string{}, []string{}
	}
	if eta, ok := v.ETA(s.Now()); ok {
		out.ETASeconds = &eta
	}
	switch {
	case v.Playable():
		uid, issuedAt := grantTime(r, readAt)
		pb, err := s.PlaybackFunc(s.baseURL(r), s.playbackClient(r), uid, v, issuedAt)
		if err != nil {
			return out, err
		}
		if v.Status != media.StatusReady {
			// Made by packaging, after the last chunk.
			pb.Poster, pb.Storyboard = "", ""
		}
		out.Playback = &pb
	case v.Status == media.StatusWaitingUpload && access.CanEdit(principalOf(r), v.Resource()):
		g, err := s.Uploads.Grant(s.baseURL(r), v.ID, v.CreatedAt)
		if err != nil {
			return out, err
		}
		out.Upload = &g
	}
	out.Downloads = s.downloads(r, v, out.Playback)
	return out, nil
}

// visibleVideo loads a video the caller may see. Anything else is
// ErrNotFound, exactly like an id that does not exist, so ids of other
// people's private videos cannot be probed.
func (s *Server) visibleVideo(r *http.Request) (media.Video, error) {
	v, err := s.Catalog.Video(r.Context(), r.PathValue("id"))
	if err != nil {
		return v, err
	}
	if !access.CanView(principalOf(r), v.Resource()) {
		return media.Video{}, fmt.Errorf("video: %w", media.ErrNotFound)
	}
	return v, nil
}

// editableVideo loads a video the caller may change: 404 when they cannot
// see it, 403 when they can see but not change it.
func (s *Server) editableVideo(r *http.Request) (media.Video, error) {
	v, err := s.visibleVideo(r)
	if err != nil {
		return v, err
	}
	if !access.CanEdit(principalOf(r), v.Resource()) {
		return media.Video{}, media.ErrForbidden
	}
	return v, nil
}

type createVideoRequest struct {
	Title      string            `json:"title"`
	Visibility access.Visibility `json:"visibility"`
}

func (s *Server) createVideo(w http.ResponseWriter, r *http.Request) {
	var req createVideoRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
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
	if req.Visibility != "" && !req.Visibility.Valid() {
		writeError(w, s.Log, media.Inputf("visibility must be private, unlisted, public or restricted."))
		return
	}
	// Refused once the owner's storage quota is reached; the upload that
	// follows is checked on its size.
	if err := s.Catalog.CheckStorage(r.Context(), principalOf(r).ID, 0); err != nil {
		writeError(w, s.Log, err)
		return
	}
	readAt := s.readNow()
	v, err := s.Catalog.CreateVideo(r.Context(), catalog.NewVideo{Title: req.Title, OwnerID: principalOf(r).ID, Visibility: req.Visibility})
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeVideo(w, r, http.StatusCreated, v, readAt)
}

func (s *Server) getVideo(w http.ResponseWriter, r *http.Request) {
	readAt := s.readNow()
	v, err := s.visibleVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeVideo(w, r, http.StatusOK, v, readAt)
}

func (s *Server) writeVideo(w http.ResponseWriter, r *http.Request, status int, v media.Video, readAt time.Time) {
	out, err := s.view(r, v, readAt)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, status, out)
}

func (s *Server) listVideos(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := principalOf(r)
	f := catalog.ListFilter{Status: media.Status(q.Get("status")), Query: q.Get("q"), Viewer: &p,
		Tag: q.Get("tag"), OwnerID: q.Get("owner"), Sort: q.Get("sort")}
	if !catalog.ValidSort(f.Sort) {
		writeError(w, s.Log, media.Inputf("sort must be newest, oldest, title or longest."))
		return
	}
	var err error
	if f.CreatedFrom, err = dateParam(q.Get("from"), false); err == nil {
		f.CreatedTo, err = dateParam(q.Get("to"), true)
	}
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if q.Get("mine") == "1" {
		f.OwnerID = p.ID // "owner" is ignored then
		if p.Anonymous() {
			writeError(w, s.Log, media.ErrUnauthorized)
			return
		}
	}
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
	readAt := s.readNow()
	videos, err := s.Catalog.ListVideos(r.Context(), f)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	views := make([]videoView, 0, len(videos))
	for _, v := range videos {
		vv, err := s.view(r, v, readAt)
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
	if _, err := s.editableVideo(r); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.Catalog.DeleteVideo(r.Context(), id); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.DeleteMediaFunc(r.Context(), id); err != nil {
		s.Log.Warn("delete media", "video", id, "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// retryVideo requeues a failed video; whoever may edit it (its owner, an
// admin) may retry it.
func (s *Server) retryVideo(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.editableVideo(r); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.RetryFunc(r.Context(), id); err != nil {
		writeError(w, s.Log, err)
		return
	}
	readAt := s.readNow()
	v, err := s.Catalog.Video(r.Context(), id)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeVideo(w, r, http.StatusAccepted, v, readAt)
}

type updateVideoRequest struct {
	Title         *string            `json:"title"`
	Visibility    *access.Visibility `json:"visibility"`
	AllowedUsers  []string           `json:"allowed_users"`
	AllowedGroups []string           `json:"allowed_groups"`
	Description   *string            `json:"description"`
	Tags          []string           `json:"tags"`
	EmbedDomains  []string           `json:"embed_domains"`
}

// updateVideo changes title, visibility and who a restricted video is
// shared with.
func (s *Server) updateVideo(w http.ResponseWriter, r *http.Request) {
	var req updateVideoRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if _, err := s.editableVideo(r); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if req.Title != nil {
		t := strings.TrimSpace(*req.Title)
		if t == "" || !utf8.ValidString(t) || utf8.RuneCountInString(t) > 300 {
			writeError(w, s.Log, media.Inputf("The title must be valid text of 1 to 300 characters."))
			return
		}
		req.Title = &t
	}
	if req.Visibility != nil && !req.Visibility.Valid() {
		writeError(w, s.Log, media.Inputf("visibility must be private, unlisted, public or restricted."))
		return
	}
	if len(req.AllowedUsers) > 200 || !validGroups(req.AllowedGroups) || !validUserIDs(req.AllowedUsers) {
		writeError(w, s.Log, media.Inputf("allowed_users are user ids (usr_...), at most 200; allowed_groups lower-case names."))
		return
	}
	patch := catalog.VideoPatch{
		Title: req.Title, Visibility: req.Visibility, AllowedUsers: req.AllowedUsers, AllowedGroups: req.AllowedGroups,
	}
	if err := detailsPatch(&patch, req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	// A change that takes access away from someone also revokes the
	// playback grants already handed out (the catalog decides, atomically).
	v, err := s.Catalog.UpdateVideo(r.Context(), r.PathValue("id"), patch)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	// The editor's fresh grants postdate any revocation just made: the
	// caller is read again after it, so even a grant naming them is newer.
	r, readAt, err := s.reidentify(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeVideo(w, r, http.StatusOK, v, readAt)
}

// validUserIDs accepts ids shaped like the catalog's (usr_ + hex), which
// keeps quotes and LIKE wildcards out of the stored lists.
func validUserIDs(ids []string) bool {
	for _, id := range ids {
		hex, ok := strings.CutPrefix(id, "usr_")
		if !ok || hex == "" || len(hex) > 60 || strings.Trim(hex, "0123456789abcdef") != "" {
			return false
		}
	}
	return true
}
