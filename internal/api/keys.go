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

// revokeKey revokes one of the caller's keys (any key for admins). Someone
// else's key is 404, like a key that does not exist.
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	p, owner := principalOf(r), keyOwner(principalOf(r))
	if p.Admin() {
		owner = "*"
	}
	if owner == "" && p.KeyID != "" {
		// User-less keys share one owner, so without this an upload key
		// could revoke the admin token's key.
		if err := s.notAboveCaller(r, p); err != nil {
			writeError(w, s.Log, err)
			return
		}
	}
	if err := s.Catalog.RevokeAPIKey(r.Context(), r.PathValue("id"), owner); err != nil {
		writeError(w, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// notAboveCaller refuses to let a non-admin user-less key revoke a
// user-less key with scopes it does not hold itself.
func (s *Server) notAboveCaller(r *http.Request, p access.Principal) error {
	keys, err := s.Catalog.ListAPIKeys(r.Context(), "")
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID == r.PathValue("id") && len(access.Intersect(k.Scopes, p.Scopes)) != len(k.Scopes) {
			return media.ErrForbidden
		}
	}
	return nil
}
