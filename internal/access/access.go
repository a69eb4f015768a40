// Package access holds the rules of who may do what: roles, API-key scopes,
// video visibility and ownership. It is pure domain logic with no I/O, so
// every API path asks the same functions and the rules are tested once.
package access

import (
	"slices"
	"strings"
	"time"
)

// Role is a user's standing on the platform.
type Role string

// Roles, from most to least powerful.
const (
	RoleAdmin    Role = "admin"    // everything, every video
	RoleUploader Role = "uploader" // uploads and manages their own videos
	RoleViewer   Role = "viewer"   // watches what they are allowed to see
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleUploader || r == RoleViewer }

// Scope limits what an API key may do on behalf of its user.
type Scope string

// Scopes.
const (
	ScopeRead   Scope = "read"   // list and watch
	ScopeUpload Scope = "upload" // create, edit, delete own videos; live streams; webhooks
	ScopeAdmin  Scope = "admin"  // users, jobs, retry, settings, every video
)

// AllScopes is every scope, in canonical order.
var AllScopes = []Scope{ScopeRead, ScopeUpload, ScopeAdmin}

// RoleScopes is what a role allows; a key's scopes are cut down to it, so
// demoting a user also demotes their keys.
func RoleScopes(r Role) []Scope {
	switch r {
	case RoleAdmin:
		return []Scope{ScopeRead, ScopeUpload, ScopeAdmin}
	case RoleUploader:
		return []Scope{ScopeRead, ScopeUpload}
	case RoleViewer:
		return []Scope{ScopeRead}
	}
	return nil
}

// ParseScopes reads a comma-separated scope list. Unknown names are an
// error, so a typo never silently grants less (or more) than meant.
func ParseScopes(s string) ([]Scope, bool) {
	var out []Scope
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		sc := Scope(f)
		if !slices.Contains(AllScopes, sc) {
			return nil, false
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return canonical(out), true
}

// FormatScopes is the inverse of ParseScopes.
func FormatScopes(scopes []Scope) string {
	parts := make([]string, len(scopes))
	for i, s := range canonical(scopes) {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

// Intersect keeps the scopes present in both lists.
func Intersect(a, b []Scope) []Scope {
	var out []Scope
	for _, s := range a {
		if slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return canonical(out)
}

func canonical(scopes []Scope) []Scope {
	out := []Scope{}
	for _, s := range AllScopes {
		if slices.Contains(scopes, s) {
			out = append(out, s)
		}
	}
	return out
}

// Visibility says who may see a video besides its owner and admins.
type Visibility string

// Visibilities.
const (
	Private    Visibility = "private"    // owner and admins only
	Unlisted   Visibility = "unlisted"   // anyone with the id; never listed
	Public     Visibility = "public"     // anyone; listed for everyone
	Restricted Visibility = "restricted" // named users and groups
)

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool {
	return v == Private || v == Unlisted || v == Public || v == Restricted
}

// Principal is who is asking: a signed-in user, an API key, or nobody.
type Principal struct {
	// ID owns what the principal creates: a user id, or the key id of an
	// API key that belongs to no user. Empty means anonymous.
	ID     string
	Role   Role
	Groups []string
	Scopes []Scope
	// Session is true when authenticated by a browser session cookie, which
	// makes writes subject to CSRF checks.
	Session bool
	// KeyID is the API key used, if any.
	KeyID string
}

// Anonymous reports whether nobody is signed in.
func (p Principal) Anonymous() bool { return p.ID == "" }

// UserID is the id of the user acting, through a session or one of their
// API keys, or "" for anonymous callers and API keys that belong to no user
// (the bootstrap token, `kinema apikey` keys), whose ID is their key id.
func (p Principal) UserID() string {
	if p.ID == "" || p.ID == p.KeyID {
		return ""
	}
	return p.ID
}

// Has reports whether p holds scope.
func (p Principal) Has(s Scope) bool { return slices.Contains(p.Scopes, s) }

// Admin reports whether p may act on everything.
func (p Principal) Admin() bool { return p.Has(ScopeAdmin) }

// Resource is what the rules need to know about a video (or anything owned
// and shared the same way).
type Resource struct {
	OwnerID       string
	Visibility    Visibility
	AllowedUsers  []string
	AllowedGroups []string
}

// CanView reports whether p may see r and get playback for it.
func CanView(p Principal, r Resource) bool {
	switch {
	case r.Visibility == Public || r.Visibility == Unlisted:
		return true
	case p.Anonymous():
		return false
	case p.Admin():
		// The admin scope covers every video, with or without read, as
		// the catalog's listing does.
		return true
	case p.ID == r.OwnerID:
		// An upload-only key still reaches the videos it may edit and delete.
		return p.Has(ScopeRead) || p.Has(ScopeUpload)
	case !p.Has(ScopeRead):
		return false
	case r.Visibility == Restricted:
		if slices.Contains(r.AllowedUsers, p.ID) {
			return true
		}
		for _, g := range p.Groups {
			if slices.Contains(r.AllowedGroups, g) {
				return true
			}
		}
	}
	return false
}

// CanEdit reports whether p may change or delete r.
func CanEdit(p Principal, r Resource) bool {
	if p.Anonymous() || !p.Has(ScopeUpload) && !p.Admin() {
		return false
	}
	return p.Admin() || p.ID == r.OwnerID
}

// User is an account as the API shows it. The password hash never leaves
// the catalog.
type User struct {
	ID          string     `json:"id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Role        Role       `json:"role"`
	Groups      []string   `json:"groups"`
	Disabled    bool       `json:"disabled"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
}

// Principal is the user acting through a session; scopes come from the role.
func (u User) Principal() Principal {
	return Principal{ID: u.ID, Role: u.Role, Groups: u.Groups, Scopes: RoleScopes(u.Role), Session: true}
}

// ValidGroup accepts short lower-case names, so group lists can be matched
// in SQL without escaping surprises.
func ValidGroup(g string) bool {
	if g == "" || len(g) > 64 {
		return false
	}
	for _, c := range g {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Narrows reports whether changing a video's sharing from before to after
// takes access away from someone who is not its owner or an admin: playback
// grants handed out before such a change must stop working.
func Narrows(before, after Resource) bool {
	open := func(v Visibility) bool { return v == Public || v == Unlisted }
	switch {
	case open(after.Visibility):
		return false
	case open(before.Visibility):
		return true // to private or restricted
	case before.Visibility != Restricted:
		return false // private to private or restricted: nobody else had access
	case after.Visibility != Restricted:
		return true // restricted to private
	}
	for _, u := range before.AllowedUsers {
		if !slices.Contains(after.AllowedUsers, u) {
			return true
		}
	}
	for _, g := range before.AllowedGroups {
		if !slices.Contains(after.AllowedGroups, g) {
			return true
		}
	}
	return false
}

// UserNarrows reports whether changing an account from before to after takes
// access away from it: it is disabled, its role loses a scope, or it leaves a
// group. Playback grants issued to the user before such a change must stop
// working.
func UserNarrows(before, after User) bool {
	if after.Disabled && !before.Disabled {
		return true
	}
	for _, s := range RoleScopes(before.Role) {
		if !slices.Contains(RoleScopes(after.Role), s) {
			return true
		}
	}
	for _, g := range before.Groups {
		if !slices.Contains(after.Groups, g) {
			return true
		}
	}
	return false
}
