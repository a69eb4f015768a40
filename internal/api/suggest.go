package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// maxSuggestions bounds one answer of GET /users/suggest.
const maxSuggestions = 8

// userSuggestion is what anyone who may share a video learns of a user.
type userSuggestion struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// suggestUsers: GET /api/v1/users/suggest?q=... for anyone who may upload,
// to pick the people a restricted video is shared with. It never lists
// the whole user list: it suggests the caller's group-mates (people an
// admin put in a group with them) whose email or name starts with q, and
// the one user whose email is exactly q. Anyone else is found only by
// typing their whole email; a prefix search over every account would let
// an uploader page through the user list a few letters at a time.
// Disabled accounts and the caller are left out. Admins, who may list
// users anyway, get every account whose email or name starts with q.
func (s *Server) suggestUsers(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	if len(q) > 320 {
		writeError(w, s.Log, media.Inputf("q is at most 320 characters."))
		return
	}
	p := principalOf(r)
	if strings.Contains(q, "@") && !p.Admin() {
		// A whole email answers whether that account exists, as sign-up's
		// 409 does (which costs a login attempt): a budget per caller keeps
		// it from becoming a way to check a list of addresses.
		s.lookupOnce.Do(func() { s.lookupLimiter = newIPLimiter(5*time.Second, 60) })
		if wait := s.lookupLimiter.allow(p.ID, time.Now()); wait > 0 {
			tooMany(w, wait, "Too many people looked up; try again in a minute.")
			return
		}
	}
	users, err := s.Catalog.ListUsers(r.Context())
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	mine := p.Groups
	out := []userSuggestion{}
	for _, u := range users {
		if u.Disabled || u.ID == p.ID {
			continue
		}
		email := strings.ToLower(u.Email)
		exact := q != "" && email == q
		starts := strings.HasPrefix(email, q) || strings.HasPrefix(strings.ToLower(u.Name), q)
		mate := slices.ContainsFunc(u.Groups, func(g string) bool { return slices.Contains(mine, g) })
		if exact || (starts && (mate || p.Admin())) {
			out = append(out, userSuggestion{ID: u.ID, Email: u.Email, Name: u.Name})
		}
	}
	// The exact match first, then by email.
	slices.SortFunc(out, func(a, b userSuggestion) int {
		ae, be := strings.ToLower(a.Email) == q, strings.ToLower(b.Email) == q
		switch {
		case ae && !be:
			return -1
		case be && !ae:
			return 1
		}
		return strings.Compare(a.Email, b.Email)
	})
	if len(out) > maxSuggestions {
		out = out[:maxSuggestions]
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}
