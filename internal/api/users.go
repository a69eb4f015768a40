package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.Catalog.ListUsers(r.Context())
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

type userRequest struct {
	Email    string       `json:"email"`
	Name     *string      `json:"name"`
	Password *string      `json:"password"`
	Role     *access.Role `json:"role"`
	Groups   []string     `json:"groups"`
	Disabled *bool        `json:"disabled"`
	// Quota overrides (PATCH only): null returns to the server default.
	QuotaProcessingMinutes json.RawMessage `json:"quota_processing_minutes"`
	QuotaStorageBytes      json.RawMessage `json:"quota_storage_bytes"`
}

// createUser lets an admin add an account directly, whatever the sign-up mode.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req userRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	nu, err := newUserFromRequest(req.Email, deref(req.Name), deref(req.Password))
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	nu.Role = access.RoleViewer
	if req.Role != nil {
		nu.Role = *req.Role
	}
	if !nu.Role.Valid() || !validGroups(req.Groups) {
		writeError(w, s.Log, media.Inputf("role must be admin, uploader or viewer; groups are lower-case names."))
		return
	}
	nu.Groups = req.Groups
	quota, err := quotaPatch(req.QuotaProcessingMinutes, req.QuotaStorageBytes)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	u, ok, _ := s.insertUser(w, r, nu)
	if !ok {
		return
	}
	if err := s.Catalog.SetUserQuotas(r.Context(), u.ID, quota); err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeUser(w, r, http.StatusCreated, u)
}

// insertUser creates the account or answers why not (a taken email is
// 409, and taken reports it).
func (s *Server) insertUser(w http.ResponseWriter, r *http.Request, nu catalog.NewUser) (u access.User, ok, taken bool) {
	u, err := s.Catalog.CreateUser(r.Context(), nu)
	if errors.Is(err, media.ErrConflict) {
		writeCode(w, http.StatusConflict, "email_taken", "An account with this email exists already.")
		return u, false, true
	}
	if err != nil {
		writeError(w, s.Log, err)
		return u, false, false
	}
	return u, true, false
}

// updateUser changes role, groups, name, password or the disabled flag.
// The last active admin cannot demote or disable themselves out of existence.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	var req userRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if req.Email != "" || (req.Role != nil && !req.Role.Valid()) || !validGroups(req.Groups) {
		writeError(w, s.Log, media.Inputf("role must be admin, uploader or viewer; groups are lower-case names; email cannot change."))
		return
	}
	quota, err := quotaPatch(req.QuotaProcessingMinutes, req.QuotaStorageBytes)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if req.Disabled != nil && *req.Disabled && r.PathValue("id") == principalOf(r).ID {
		writeError(w, s.Log, errOwnAccount)
		return
	}
	patch := catalog.UserPatch{Name: req.Name, Role: req.Role, Groups: req.Groups, Disabled: req.Disabled}
	if req.Password != nil {
		hash, err := auth.HashPassword(*req.Password)
		if err != nil {
			writeError(w, s.Log, media.Inputf("The password must have %d to %d characters.", auth.MinPasswordLen, auth.MaxPasswordLen))
			return
		}
		patch.PasswordHash = &hash
	}
	// The catalog refuses to demote or disable the last active admin, in
	// the transaction that makes the change (catalog.ErrLastAdmin).
	u, err := s.Catalog.UpdateUser(r.Context(), r.PathValue("id"), patch)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if err := s.Catalog.SetUserQuotas(r.Context(), u.ID, quota); err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeUser(w, r, http.StatusOK, u)
}

// errOwnAccount: an admin neither disables nor deletes their own account
// (the users page offers neither on their own row), so nobody locks
// themselves out by a slip; another admin can.
var errOwnAccount = media.Inputf("You cannot disable or delete your own account; another admin can.")

// deleteUser removes an account with its sessions, keys and webhook
// endpoints; the last active admin cannot be removed (catalog.ErrLastAdmin).
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") == principalOf(r).ID {
		writeError(w, s.Log, errOwnAccount)
		return
	}
	if err := s.Catalog.DeleteUser(r.Context(), r.PathValue("id")); err != nil {
		writeError(w, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// createInvite returns a single-use sign-up code (shown once) for a role.
func (s *Server) createInvite(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Role     access.Role `json:"role"`
		TTLHours int         `json:"ttl_hours"`
	}
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if req.Role == "" {
		req.Role = access.RoleViewer
	}
	if !req.Role.Valid() || req.TTLHours < 0 || req.TTLHours > 24*90 {
		writeError(w, s.Log, media.Inputf("role must be admin, uploader or viewer; ttl_hours at most 2160."))
		return
	}
	if req.TTLHours == 0 {
		req.TTLHours = 7 * 24
	}
	code, exp := auth.NewSecret(18), s.Now().Add(time.Duration(req.TTLHours)*time.Hour)
	if err := s.Catalog.CreateInvite(r.Context(), auth.HashAPIKey(code), req.Role, principalOf(r).ID, exp); err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"code": code, "role": req.Role, "expires_at": exp.UTC().Truncate(time.Second),
		"url": s.baseURL(r) + "/signup?invite=" + code,
	})
}

type settingsView struct {
	Signup      string      `json:"signup"`
	DefaultRole access.Role `json:"default_role"`
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) {
	v, err := s.settings(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) settings(r *http.Request) (settingsView, error) {
	mode, err := s.signupMode(r.Context())
	if err != nil {
		return settingsView{}, err
	}
	role, err := s.Catalog.Setting(r.Context(), "default_role", string(access.RoleViewer))
	return settingsView{Signup: mode, DefaultRole: access.Role(role)}, err
}

func (s *Server) putSettings(w http.ResponseWriter, r *http.Request) {
	var req settingsView
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if req.Signup != "" && !slices.Contains([]string{SignupOpen, SignupInvite, SignupClosed}, req.Signup) ||
		req.DefaultRole != "" && !req.DefaultRole.Valid() {
		writeError(w, s.Log, media.Inputf("signup must be open, invite or closed; default_role admin, uploader or viewer."))
		return
	}
	if req.Signup != "" {
		if err := s.Catalog.SetSetting(r.Context(), "signup", req.Signup); err != nil {
			writeError(w, s.Log, err)
			return
		}
	}
	if req.DefaultRole != "" {
		if err := s.Catalog.SetSetting(r.Context(), "default_role", string(req.DefaultRole)); err != nil {
			writeError(w, s.Log, err)
			return
		}
	}
	s.getSettings(w, r)
}

func validGroups(groups []string) bool {
	if len(groups) > 50 {
		return false
	}
	for _, g := range groups {
		if !access.ValidGroup(g) {
			return false
		}
	}
	return true
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
