package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

type keyCtx struct{}

// authed requires a valid API key. Keys are looked up by their SHA-256, so
// the secret itself is never compared or stored.
func (s *Server) authed(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || raw == "" || len(raw) > 256 {
			writeError(w, s.Log, media.ErrUnauthorized)
			return
		}
		key, err := s.Catalog.APIKeyByHash(r.Context(), auth.HashAPIKey(strings.TrimSpace(raw)))
		if err != nil {
			writeError(w, s.Log, err)
			return
		}
		_ = s.Catalog.TouchAPIKey(r.Context(), key.ID)
		next(w, r.WithContext(context.WithValue(r.Context(), keyCtx{}, key)))
	})
}

func (s *Server) adminOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if key, _ := r.Context().Value(keyCtx{}).(catalog.APIKey); !key.IsAdmin {
			writeError(w, s.Log, media.ErrForbidden)
			return
		}
		next(w, r)
	}
}
