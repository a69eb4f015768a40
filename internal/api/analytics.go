package api

import (
	"net/http"
	"time"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// Bounds of one beacon. A player sends a view and its startup time once,
// then a heartbeat about every 10 s with the time watched since the last
// one, and rebuffers and errors as they end or happen.
const (
	maxBeaconEvents  = 64
	maxStartupMS     = 120_000
	maxRebufferMS    = 600_000
	maxHeartbeatMS   = 60_000
	maxBeaconWatchMS = 180_000
	maxHeight        = 8640
	maxBitrate       = 1_000_000_000
	maxErrorCode     = 64
	maxAnalyticsDays = 92
)

type playbackEvent struct {
	// Type is view, startup, rebuffer, heartbeat or error.
	Type    string `json:"type"`
	MS      int64  `json:"ms,omitempty"`
	Height  int    `json:"height,omitempty"`
	Bitrate int64  `json:"bitrate,omitempty"`
	Code    string `json:"code,omitempty"`
}

type playbackEventsRequest struct {
	VideoID string          `json:"video_id"`
	Events  []playbackEvent `json:"events"`
}

// beaconDelta validates events and sums them into one delta.
func beaconDelta(events []playbackEvent) (catalog.PlaybackDelta, error) {
	var d catalog.PlaybackDelta
	if len(events) == 0 || len(events) > maxBeaconEvents {
		return d, media.Inputf("Send between 1 and %d events.", maxBeaconEvents)
	}
	for i, e := range events {
		if e.MS < 0 || e.Height < 0 || e.Height > maxHeight || e.Bitrate < 0 || e.Bitrate > maxBitrate || len(e.Code) > maxErrorCode {
			return d, media.Inputf("Event %d has a value out of range.", i)
		}
		switch e.Type {
		case "view":
			if d.Views > 0 {
				return d, media.Inputf("One view per beacon.")
			}
			d.Views = 1
		case "startup":
			if e.MS > maxStartupMS || d.Startups > 0 {
				return d, media.Inputf("Event %d: one startup time per beacon, at most %d ms.", i, maxStartupMS)
			}
			d.Startups, d.StartupMS = 1, e.MS
		case "rebuffer":
			if e.MS > maxRebufferMS {
				return d, media.Inputf("Event %d: a rebuffer lasts at most %d ms.", i, maxRebufferMS)
			}
			d.Rebuffers++
			d.RebufferMS += e.MS
		case "heartbeat":
			if e.MS > maxHeartbeatMS {
				return d, media.Inputf("Event %d: a heartbeat covers at most %d ms.", i, maxHeartbeatMS)
			}
			d.WatchMS += e.MS
			if e.MS > 0 {
				if d.Renditions == nil {
					d.Renditions = map[int]catalog.RenditionDelta{}
				}
				r := d.Renditions[e.Height]
				r.WatchMS += e.MS
				r.Bitrate = max(r.Bitrate, e.Bitrate)
				d.Renditions[e.Height] = r
			}
		case "error":
			d.Errors++
		default:
			return d, media.Inputf("Event %d has an unknown type %q.", i, e.Type)
		}
	}
	if d.WatchMS > maxBeaconWatchMS || d.RebufferMS > maxRebufferMS {
		return d, media.Inputf("One beacon covers at most %d ms of watching.", maxBeaconWatchMS)
	}
	return d, nil
}

// beaconLimiter bounds beacons per address: a burst of 60, then one a
// second (a player sends one about every 10 s; viewers behind one NAT
// share the allowance).
func (s *Server) beaconLimiter() *ipLimiter {
	s.beaconOnce.Do(func() {
		if s.BeaconLimiter == nil {
			s.BeaconLimiter = newIPLimiter(time.Second, 60)
		}
	})
	return s.BeaconLimiter
}

// playbackEvents: POST /api/v1/playback-events. Anonymous viewers may
// send them; events count only for a video the caller may watch (else 404,
// like a video that does not exist). A session without the CSRF token is
// read as anonymous: the beacon needs no identity beyond that, and the
// JSON content type keeps cross-site forms out.
func (s *Server) playbackEvents(w http.ResponseWriter, r *http.Request) {
	if wait := s.beaconLimiter().allow(s.clientKey(r), time.Now()); wait > 0 {
		tooMany(w, wait, "Too many playback events from this address; slow down.")
		return
	}
	var req playbackEventsRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if req.VideoID == "" || len(req.VideoID) > 64 {
		writeError(w, s.Log, media.Inputf("video_id is required."))
		return
	}
	d, err := beaconDelta(req.Events)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	p, err := s.identify(r)
	if err != nil {
		p = access.Principal{}
	}
	v, err := s.Catalog.Video(r.Context(), req.VideoID)
	if err == nil && !access.CanView(p, v.Resource()) {
		err = media.ErrNotFound
	}
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.Catalog.AddPlayback(r.Context(), v.ID, s.readNow(), d); err != nil {
		writeError(w, s.Log, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// analyticsRange reads ?from=&to= (RFC 3339; default the last 7 days, at
// most maxAnalyticsDays), widened to whole hours.
func (s *Server) analyticsRange(r *http.Request) (time.Time, time.Time, error) {
	now := s.readNow().UTC()
	to := now.Truncate(time.Hour).Add(time.Hour)
	from := to.Add(-7 * 24 * time.Hour)
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return from, to, media.Inputf("%s must be a time like 2026-12-01T00:00:00Z.", p.name)
			}
			*p.t = t.UTC()
		}
	}
	from = from.Truncate(time.Hour)
	if t := to.Truncate(time.Hour); t.Before(to) {
		to = t.Add(time.Hour)
	}
	if !from.Before(to) || to.Sub(from) > maxAnalyticsDays*24*time.Hour {
		return from, to, media.Inputf("from must be before to, at most %d days apart.", maxAnalyticsDays)
	}
	return from, to, nil
}

type analyticsView struct {
	From       time.Time               `json:"from"`
	To         time.Time               `json:"to"`
	VideoID    string                  `json:"video_id,omitempty"`
	Total      analyticsBucket         `json:"total"`
	Hours      []analyticsBucket       `json:"hours"`
	Renditions []catalog.RenditionStat `json:"renditions"`
	Top        []catalog.VideoPlayback `json:"top_videos,omitempty"`
}

// analyticsBucket is a bucket with its derived figures.
type analyticsBucket struct {
	catalog.PlaybackBucket
	// StartupAvgMS is the mean startup time (0 without startups).
	StartupAvgMS float64 `json:"startup_avg_ms"`
	// RebufferRatio is stalled time over stalled plus watched time.
	RebufferRatio float64 `json:"rebuffer_ratio"`
}

func derive(b catalog.PlaybackBucket) analyticsBucket {
	out := analyticsBucket{PlaybackBucket: b}
	if b.Startups > 0 {
		out.StartupAvgMS = float64(b.StartupMS) / float64(b.Startups)
	}
	if b.WatchMS+b.RebufferMS > 0 {
		out.RebufferRatio = float64(b.RebufferMS) / float64(b.WatchMS+b.RebufferMS)
	}
	return out
}

func (s *Server) writeAnalytics(w http.ResponseWriter, r *http.Request, videoID string) {
	from, to, err := s.analyticsRange(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	st, err := s.Catalog.PlaybackStats(r.Context(), videoID, from, to)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	out := analyticsView{From: from, To: to, VideoID: videoID, Total: derive(st.Total), Hours: make([]analyticsBucket, 0, len(st.Hours)), Renditions: st.Renditions}
	for _, b := range st.Hours {
		out.Hours = append(out.Hours, derive(b))
	}
	if videoID == "" {
		if out.Top, err = s.Catalog.TopPlayback(r.Context(), from, to, 10); err != nil {
			writeError(w, s.Log, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// videoAnalytics: GET /api/v1/videos/{id}/analytics (the owner, or anyone
// who may edit the video, or an admin).
func (s *Server) videoAnalytics(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeAnalytics(w, r, v.ID)
}

// allAnalytics: GET /api/v1/analytics (admin): every video together, and
// the most viewed.
func (s *Server) allAnalytics(w http.ResponseWriter, r *http.Request) {
	s.writeAnalytics(w, r, "")
}
