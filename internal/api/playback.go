package api

import (
	"net/http"

	"github.com/kinema/kinema/internal/media"
)

// playbackCookie sets the cookies that authorise a ready video's files and
// answers with plain (unsigned) URLs: the browser then sends the cookie
// with every manifest, segment and thumbnail request by itself. In
// CloudFront mode the cookies are CloudFront's signed cookies.
func (s *Server) playbackCookie(w http.ResponseWriter, r *http.Request) {
	v, err := s.visibleVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if v.Status != media.StatusReady {
		writeError(w, s.Log, media.ErrConflict)
		return
	}
	cookies, pb, err := s.PlaybackCookiesFunc(s.baseURL(r), s.playbackClient(r), v)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	for _, c := range cookies {
		http.SetCookie(w, c)
	}
	writeJSON(w, http.StatusOK, pb)
}
