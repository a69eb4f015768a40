package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/media"
)

// keyOwner is the user whose keys p manages: their own. User-less keys
// (bootstrap, CLI) manage the user-less keys.
func keyOwner(p access.Principal) string {
	if p.KeyID != "" && p.KeyID == p.ID {
		return ""
	}
	return p.ID
}

// listKeys shows the caller's keys; admins may ask for ?all=1.
func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	p, owner := principalOf(r), keyOwner(principalOf(r))
	if r.URL.Query().Get("all") == "1" {
		if !p.Admin() {
			writeError(w, s.Log, media.ErrForbidden)
			return
		}
		owner = "*"
	}
	keys, err := s.Catalog.ListAPIKeys(r.Context(), owner)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// createKey mints a key for the caller with at most the caller's scopes.
// The secret is in this response only.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	var req struct {
		Name   string         `json:"name"`
		Scopes []access.Scope `json:"scopes"`
	}
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || utf8.RuneCountInString(req.Name) > 100 {
		writeError(w, s.Log, media.Inputf("Give the key a name of 1 to 100 characters."))
		return
	}
	parts := make([]string, len(req.Scopes))
	for i, sc := range req.Scopes {
		parts[i] = string(sc)
	}
	scopes, ok := access.ParseScopes(strings.Join(parts, ","))
	if !ok || len(scopes) == 0 {
		writeError(w, s.Log, media.Inputf("scopes must be a non-empty list of read, upload and admin."))
		return
	}
	if len(access.Intersect(scopes, p.Scopes)) != len(scopes) {
		writeError(w, s.Log, media.ErrForbidden) // no key may exceed its maker
		return
	}
	secret := auth.NewAPIKey()
	key, err := s.Catalog.CreateUserAPIKey(r.Context(), keyOwner(p), req.Name, auth.HashAPIKey(secret), scopes)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": key, "secret": secret})
}

// keyManager lets only a browser session or an admin-scoped key create and
// revoke keys. Any other key would otherwise outlive its own revocation: a
// leaked read key could mint a sibling, or revoke the keys of the person
// cleaning up. A key may still list its user's keys.
func (s *Server) keyManager(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p := principalOf(r); !p.Session && !p.Admin() {
			writeCode(w, http.StatusForbidden, "forbidden", "API keys are managed from a signed-in session or with an admin key.")
			return
		}
		next(w, r)
	}
}

// revokeKey revokes one of the caller's keys (any key for admins). Someone
// else's key is 404, like a key that does not exist.
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	p, owner := principalOf(r), keyOwner(principalOf(r))
	if p.Admin() {
		owner = "*"
	}
	if err := s.Catalog.RevokeAPIKey(r.Context(), r.PathValue("id"), owner); err != nil {
		writeError(w, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
