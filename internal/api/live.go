package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/live"
	"github.com/kinema/kinema/internal/media"
)

// LiveService is what the live routes need; *live.Service implements it.
// Get returns an error wrapping media.ErrNotFound for unknown ids.
type LiveService interface {
	Create(ctx context.Context, title, ownerID string) (live.Stream, error)
	Get(ctx context.Context, id string) (live.Stream, error)
	List(ctx context.Context) ([]live.Stream, error) // newest first
	PublishURLs(host string, st live.Stream) (srtURL, rtmpURL string)
	PlaybackURLs(base, id string) (live.Playback, error)
	End(ctx context.Context, id string) (live.Stream, error)
	RotateKey(ctx context.Context, id string) (live.Stream, error)
	SetPassphrase(ctx context.Context, id, passphrase string) (live.Stream, error)
	// Delete returns live.ErrLiveNow for a stream still broadcasting.
	Delete(ctx context.Context, id string) error
	AddRestream(ctx context.Context, id, name, url string) (media.LiveRestream, error)
	Restreams(ctx context.Context, id string) ([]media.LiveRestream, error)
	RemoveRestream(ctx context.Context, id, rid string) error
}

var _ LiveService = (*live.Service)(nil)

// liveView is the API's live stream JSON.
type liveView struct {
	live.Stream
	SRTURL   string         `json:"srt_url,omitempty"`
	RTMPURL  string         `json:"rtmp_url,omitempty"`
	Playback *live.Playback `json:"playback,omitempty"`
	// Restreams are the stream's RTMP destinations, URLs masked.
	Restreams []restreamView `json:"restreams"`
}

// restreamView is a restream destination as the API shows it: the URL
// with its stream key masked (it is a secret, shown to no one after it was
// entered), and the status the ingest node reports.
type restreamView struct {
	media.LiveRestream
	URL string `json:"url"`
}

func viewRestream(st live.Stream, d media.LiveRestream) restreamView {
	if st.Status != live.StatusLive { // a stale status left by a node that stopped
		d.Status, d.Error = media.RestreamIdle, ""
	}
	return restreamView{LiveRestream: d, URL: live.MaskRestreamURL(d.URL)}
}

// RegisterLive mounts the live stream routes on mux, each wrapped by
// authed (API-key auth). baseURL gives the origin for signed playback URLs.
func RegisterLive(mux *http.ServeMux, authed func(http.HandlerFunc) http.Handler, svc LiveService,
	baseURL func(*http.Request) string, log *slog.Logger) {
	h := &liveHandlers{svc: svc, baseURL: baseURL, log: log}
	mux.Handle("POST /api/v1/live", authed(h.create))
	mux.Handle("GET /api/v1/live", authed(h.list))
	mux.Handle("GET /api/v1/live/{id}", authed(h.get))
	mux.Handle("PATCH /api/v1/live/{id}", authed(h.patch))
	mux.Handle("POST /api/v1/live/{id}/end", authed(h.end))
	mux.Handle("POST /api/v1/live/{id}/key", authed(h.rotateKey))
	mux.Handle("DELETE /api/v1/live/{id}", authed(h.delete))
	mux.Handle("GET /api/v1/live/{id}/restreams", authed(h.listRestreams))
	mux.Handle("POST /api/v1/live/{id}/restreams", authed(h.addRestream))
	mux.Handle("DELETE /api/v1/live/{id}/restreams/{rid}", authed(h.removeRestream))
}

// RegisterLive mounts the live routes with the server's own API-key auth
// and origin.
func (s *Server) RegisterLive(mux *http.ServeMux, svc LiveService) {
	RegisterLive(mux, func(h http.HandlerFunc) http.Handler { return s.guard(access.ScopeUpload, h) }, svc, s.baseURL, s.Log)
}

type liveHandlers struct {
	svc     LiveService
	baseURL func(*http.Request) string
	log     *slog.Logger
}

func (h *liveHandlers) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Title      string `json:"title"`
		Passphrase string `json:"srt_passphrase"`
	}
	if err := readJSON(r, &req); err != nil {
		writeError(w, h.log, err)
		return
	}
	if err := live.CheckPassphrase(req.Passphrase); err != nil {
		writeError(w, h.log, err)
		return
	}
	req.Title = strings.TrimSpace(req.Title)
	if !utf8.ValidString(req.Title) || utf8.RuneCountInString(req.Title) > 300 {
		writeError(w, h.log, media.Inputf("The title must be valid text of at most 300 characters."))
		return
	}
	if req.Title == "" {
		req.Title = "Untitled live stream"
	}
	st, err := h.svc.Create(r.Context(), req.Title, principalOf(r).ID)
	if err == nil && req.Passphrase != "" {
		st, err = h.svc.SetPassphrase(r.Context(), st.ID, req.Passphrase)
	}
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	h.write(w, r, http.StatusCreated, st)
}

// owned loads stream {id} if the caller may manage it; otherwise it has
// answered 404 (someone else's stream must not leak) and returns false.
func (h *liveHandlers) owned(w http.ResponseWriter, r *http.Request) (live.Stream, bool) {
	st, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err == nil && !ownsStream(r, st) {
		err = media.ErrNotFound
	}
	if errors.Is(err, media.ErrNotFound) {
		writeCode(w, http.StatusNotFound, "not_found", "No such live stream.")
		return live.Stream{}, false
	}
	if err != nil {
		writeError(w, h.log, err)
		return live.Stream{}, false
	}
	return st, true
}

// patch changes the SRT passphrase: {"srt_passphrase": "..."} ("" clears).
func (h *liveHandlers) patch(w http.ResponseWriter, r *http.Request) {
	st, ok := h.owned(w, r)
	if !ok {
		return
	}
	var req struct {
		Passphrase *string `json:"srt_passphrase"`
	}
	if err := readJSON(r, &req); err != nil {
		writeError(w, h.log, err)
		return
	}
	if req.Passphrase != nil {
		var err error
		if st, err = h.svc.SetPassphrase(r.Context(), st.ID, *req.Passphrase); err != nil {
			writeError(w, h.log, err)
			return
		}
	}
	h.write(w, r, http.StatusOK, st)
}

// end ends the stream now (the recording is still made).
func (h *liveHandlers) end(w http.ResponseWriter, r *http.Request) {
	st, ok := h.owned(w, r)
	if !ok {
		return
	}
	st, err := h.svc.End(r.Context(), st.ID)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	h.write(w, r, http.StatusOK, st)
}

// rotateKey gives the stream a new key; the old one is refused from now on.
func (h *liveHandlers) rotateKey(w http.ResponseWriter, r *http.Request) {
	st, ok := h.owned(w, r)
	if !ok {
		return
	}
	st, err := h.svc.RotateKey(r.Context(), st.ID)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	h.write(w, r, http.StatusOK, st)
}

// delete removes a stream that is not broadcasting, with its live output;
// its recording (a video) stays.
func (h *liveHandlers) delete(w http.ResponseWriter, r *http.Request) {
	st, ok := h.owned(w, r)
	if !ok {
		return
	}
	err := h.svc.Delete(r.Context(), st.ID)
	if errors.Is(err, live.ErrLiveNow) {
		writeCode(w, http.StatusConflict, "conflict", "The stream is live; end it before deleting it.")
		return
	}
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listRestreams answers {"restreams": [...]}, URLs masked.
func (h *liveHandlers) listRestreams(w http.ResponseWriter, r *http.Request) {
	st, ok := h.owned(w, r)
	if !ok {
		return
	}
	list, err := h.svc.Restreams(r.Context(), st.ID)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	out := make([]restreamView, 0, len(list))
	for _, d := range list {
		out = append(out, viewRestream(st, d))
	}
	writeJSON(w, http.StatusOK, struct {
		Restreams []restreamView `json:"restreams"`
	}{out})
}

// addRestream adds an RTMP destination {"name", "url"}; the answer shows
// the URL masked, like every later one.
func (h *liveHandlers) addRestream(w http.ResponseWriter, r *http.Request) {
	st, ok := h.owned(w, r)
	if !ok {
		return
	}
	var req struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	if err := readJSON(r, &req); err != nil {
		writeError(w, h.log, err)
		return
	}
	d, err := h.svc.AddRestream(r.Context(), st.ID, req.Name, req.URL)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, http.StatusCreated, viewRestream(st, d))
}

// removeRestream deletes one destination; a running forward to it stops.
func (h *liveHandlers) removeRestream(w http.ResponseWriter, r *http.Request) {
	st, ok := h.owned(w, r)
	if !ok {
		return
	}
	err := h.svc.RemoveRestream(r.Context(), st.ID, r.PathValue("rid"))
	if errors.Is(err, media.ErrNotFound) {
		writeCode(w, http.StatusNotFound, "not_found", "No such restream destination.")
		return
	}
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *liveHandlers) get(w http.ResponseWriter, r *http.Request) {
	st, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err == nil && !ownsStream(r, st) {
		err = media.ErrNotFound // someone else's stream key must not leak
	}
	if errors.Is(err, media.ErrNotFound) {
		var body errorBody
		body.Error.Code, body.Error.Message = "not_found", "No such live stream."
		writeJSON(w, http.StatusNotFound, body)
		return
	}
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	h.write(w, r, http.StatusOK, st)
}

// list answers {"streams": [...]}, newest first, each exactly as get shows it.
func (h *liveHandlers) list(w http.ResponseWriter, r *http.Request) {
	streams, err := h.svc.List(r.Context())
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	out := make([]liveView, 0, len(streams))
	for _, st := range streams {
		if !ownsStream(r, st) {
			continue
		}
		v, err := h.view(r, st)
		if err != nil {
			writeError(w, h.log, err)
			return
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, struct {
		Streams []liveView `json:"streams"`
	}{out})
}

// write answers with the stream's view.
func (h *liveHandlers) write(w http.ResponseWriter, r *http.Request, status int, st live.Stream) {
	v, err := h.view(r, st)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	writeJSON(w, status, v)
}

// view is the stream's API JSON: publish URLs while it can still be
// published to, and signed playback URLs.
func (h *liveHandlers) view(r *http.Request, st live.Stream) (liveView, error) {
	v := liveView{Stream: st}
	if st.Status != live.StatusEnded {
		v.SRTURL, v.RTMPURL = h.svc.PublishURLs(r.Host, st)
	}
	pb, err := h.svc.PlaybackURLs(h.baseURL(r), st.ID)
	if err != nil {
		return liveView{}, err
	}
	v.Playback = &pb
	list, err := h.svc.Restreams(r.Context(), st.ID)
	if err != nil {
		return liveView{}, err
	}
	v.Restreams = make([]restreamView, 0, len(list))
	for _, d := range list {
		v.Restreams = append(v.Restreams, viewRestream(st, d))
	}
	return v, nil
}

// ownsStream: a stream (and its key) belongs to its creator; admins see all.
func ownsStream(r *http.Request, st live.Stream) bool {
	p := principalOf(r)
	return p.Admin() || p.ID == st.OwnerID
}

// LiveOffMessage is what the API says when this server runs without live
// ingest.
const LiveOffMessage = "Live streaming is off on this server. Start kinema serve with SRT and/or RTMP ingest " +
	"(the defaults --srt-addr :9710 and --rtmp-addr :1935; KINEMA_SRT_ADDR, KINEMA_RTMP_ADDR) and ffmpeg with libx264 installed."

// RegisterLiveOff mounts the live routes on a server without live ingest:
// every one answers 503 with code live_off and reason, so clients and the
// UI can say how to turn it on instead of showing a bare 404 or 405.
func RegisterLiveOff(mux *http.ServeMux, reason string) {
	off := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeCode(w, http.StatusServiceUnavailable, "live_off", reason)
	})
	mux.Handle("/api/v1/live", off)
	mux.Handle("/api/v1/live/", off)
	mux.Handle(live.PathPrefix, off)
}
