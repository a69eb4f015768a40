package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// playbackCookie sets the cookies that authorise a ready video's files and
// answers with plain (unsigned) URLs: the browser then sends the cookie
// with every manifest, segment and thumbnail request by itself. In
// CloudFront mode the cookies are CloudFront's signed cookies.
func (s *Server) playbackCookie(w http.ResponseWriter, r *http.Request) {
	readAt := s.readNow()
	v, err := s.visibleVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if !v.Playable() {
		writeError(w, s.Log, media.ErrConflict)
		return
	}
	uid, issuedAt := grantTime(r, readAt)
	cookies, pb, err := s.PlaybackCookiesFunc(s.baseURL(r), s.playbackClient(r), uid, v, issuedAt)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	for _, c := range cookies {
		http.SetCookie(w, c)
	}
	writeJSON(w, http.StatusOK, pb)
}

// prefixCookie (admin) sets one cookie granting every file under a path
// prefix of /media/, e.g. the whole catalogue for a review session.
func (s *Server) prefixCookie(w http.ResponseWriter, r *http.Request) {
	readAt := s.readNow()
	var req struct {
		Prefix string `json:"prefix"`
	}
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if !validMediaPrefix(req.Prefix) {
		writeError(w, s.Log, media.Inputf("prefix must be a path under /media/ ending in '/', e.g. \"/media/\"."))
		return
	}
	uid, issuedAt := grantTime(r, readAt)
	cookies, exp, err := s.PrefixCookieFunc(s.baseURL(r), req.Prefix, s.playbackClient(r), uid, issuedAt)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	for _, c := range cookies {
		http.SetCookie(w, c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"prefix": req.Prefix, "expires_at": exp.UTC().Truncate(time.Second)})
}

// validMediaPrefix admits /media/ and directories below it made of id
// characters, so a grant can never widen through "..", wildcards or
// encodings.
func validMediaPrefix(p string) bool {
	rest, ok := strings.CutPrefix(p, "/media/")
	if !ok || !strings.HasSuffix(p, "/") || len(p) > 200 {
		return false
	}
	for _, seg := range strings.Split(strings.TrimSuffix(rest, "/"), "/") {
		if rest == "" {
			break
		}
		if seg == "" || strings.Trim(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
			return false
		}
	}
	return true
}
