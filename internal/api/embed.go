package api

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/media"
)

// Embedding: the embed page (/embed/{id}) fetches the video with
// GET /api/v1/videos/{id} as an anonymous visitor each time it loads, so it
// always plays from freshly signed URLs; only public and unlisted videos
// can be embedded. Which sites may frame it is the video's embed_domains,
// enforced by the browser through the page's CSP frame-ancestors
// (EmbedAncestors).

// embeddable reports whether anyone with the link may watch v.
func embeddable(v media.Video) bool {
	return v.Visibility == access.Public || v.Visibility == access.Unlisted
}

// EmbedAncestors is the CSP frame-ancestors source list of the embed page
// of video id: any site when the video names none, its owner's list (and
// this server) otherwise, and only this server for a video that cannot be
// embedded or does not exist.
func (s *Server) EmbedAncestors(r *http.Request, id string) []string {
	v, err := s.Catalog.Video(r.Context(), id)
	if err != nil || !embeddable(v) {
		return []string{"'self'"}
	}
	if len(v.EmbedDomains) == 0 {
		return []string{"*"}
	}
	return append([]string{"'self'"}, v.EmbedDomains...)
}

// oembed answers oEmbed (https://oembed.com) for a watch or embed page URL
// of a ready public or unlisted video: an <iframe> of the embed page sized
// to the video within maxwidth/maxheight. Anything else is 404, like a
// missing video.
func (s *Server) oembed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if f := q.Get("format"); f != "" && f != "json" {
		writeCode(w, http.StatusNotImplemented, "not_implemented", "Only format=json is supported.")
		return
	}
	u, err := url.Parse(q.Get("url"))
	if err != nil || u.Host == "" {
		writeError(w, s.Log, media.Inputf("url must be the address of a video's page, e.g. %s/watch/ID.", s.baseURL(r)))
		return
	}
	id, ok := strings.CutPrefix(u.Path, "/watch/")
	if !ok {
		id, ok = strings.CutPrefix(u.Path, "/embed/")
	}
	base := s.baseURL(r)
	if b, err := url.Parse(base); !ok || err != nil || !strings.EqualFold(u.Host, b.Host) || id == "" || strings.Contains(id, "/") {
		writeError(w, s.Log, fmt.Errorf("oembed url: %w", media.ErrNotFound))
		return
	}
	v, err := s.Catalog.Video(r.Context(), id)
	if err == nil && (!embeddable(v) || v.Status != media.StatusReady) {
		err = fmt.Errorf("oembed video: %w", media.ErrNotFound)
	}
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	width, height := embedSize(v, atoiOr(q.Get("maxwidth"), 0), atoiOr(q.Get("maxheight"), 0))
	src := base + "/embed/" + url.PathEscape(v.ID)
	frame := fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" style="border:0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen title="%s"></iframe>`,
		html.EscapeString(src), width, height, html.EscapeString(v.Title))
	// Public data, and some consumers fetch it from the browser.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	out := map[string]any{
		"version": "1.0", "type": "video", "provider_name": "kinema", "provider_url": base + "/",
		"title": v.Title, "width": width, "height": height, "html": frame,
	}
	if v.Kind != media.KindAudio {
		// The chosen poster, through a permanent address that redirects to
		// freshly signed URLs (consumers keep this URL for a long time).
		out["thumbnail_url"] = base + "/api/v1/videos/" + url.PathEscape(v.ID) + "/poster"
		out["thumbnail_width"], out["thumbnail_height"] = width, height
	}
	writeJSON(w, http.StatusOK, out)
}

// embedSize is the player's size: 640 wide at the video's aspect ratio
// (16:9 when unknown, a short bar for audio), shrunk to fit the maxima.
func embedSize(v media.Video, maxW, maxH int) (int, int) {
	w, h := 640, 360
	if v.Kind != media.KindAudio && v.Width > 0 && v.Height > 0 {
		h = w * v.Height / v.Width
	}
	if maxW > 0 && w > maxW {
		h, w = h*maxW/w, maxW
	}
	if maxH > 0 && h > maxH {
		w, h = w*maxH/h, maxH
	}
	return max(w, 1), max(h, 1)
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return def
	}
	return n
}
