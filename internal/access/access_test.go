package access_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
)

// owner is the user every resource in the table belongs to.
const owner = "usr_a"

func user(id string, role access.Role, groups ...string) access.Principal {
	return access.User{ID: id, Role: role, Groups: groups}.Principal()
}

// withKey is p acting through an API key with scopes, cut down to p's role
// the way the API does it.
func withKey(p access.Principal, scopes ...access.Scope) access.Principal {
	p.Session, p.KeyID = false, "key_x"
	p.Scopes = access.Intersect(scopes, p.Scopes)
	return p
}

// userless is a key that belongs to no user and acts for itself.
func userless(id string, role access.Role, scopes ...access.Scope) access.Principal {
	return access.Principal{ID: id, Role: role, Scopes: scopes, KeyID: id}
}

func TestCanViewAndEdit(t *testing.T) {
	t.Parallel()
	const R, U, A = access.ScopeRead, access.ScopeUpload, access.ScopeAdmin
	resources := map[string]access.Resource{
		"private":    {OwnerID: owner, Visibility: access.Private},
		"unlisted":   {OwnerID: owner, Visibility: access.Unlisted},
		"public":     {OwnerID: owner, Visibility: access.Public},
		"restricted": {OwnerID: owner, Visibility: access.Restricted, AllowedUsers: []string{"usr_b"}, AllowedGroups: []string{"team"}},
		// The lists mean nothing unless the video is restricted.
		"private, lists set": {OwnerID: owner, Visibility: access.Private, AllowedUsers: []string{"usr_b"}, AllowedGroups: []string{"team"}},
	}
	all := []string{"private", "unlisted", "public", "restricted", "private, lists set"}
	open := []string{"unlisted", "public"}
	shared := []string{"unlisted", "public", "restricted"}

	tests := []struct {
		name string
		p    access.Principal
		view []string // resources p may see; the rest must be refused
		edit bool     // may change every resource in the table (they all have one owner)
	}{
		{"anonymous", access.Principal{}, open, false},
		{"anonymous with scopes is still anonymous", access.Principal{Scopes: access.AllScopes}, open, false},

		{"owner uploader", user(owner, access.RoleUploader), all, true},
		{"owner demoted to viewer", user(owner, access.RoleViewer), all, false},
		{"owner with a read key", withKey(user(owner, access.RoleUploader), R), all, false},
		{"owner with an upload-only key", withKey(user(owner, access.RoleUploader), U), all, true},
		{"owner viewer with an upload key (cut to nothing)", withKey(user(owner, access.RoleViewer), U), open, false},

		{"admin", user("usr_admin", access.RoleAdmin), all, true},
		{"admin with a read key", withKey(user("usr_admin", access.RoleAdmin), R), open, false},
		{"admin with an admin-only key", withKey(user("usr_admin", access.RoleAdmin), A), all, true},
		{"admin with an upload key", withKey(user("usr_admin", access.RoleAdmin), R, U), open, false},

		{"other uploader", user("usr_c", access.RoleUploader), open, false},
		{"other uploader with an admin key (cut)", withKey(user("usr_c", access.RoleUploader), R, U, A), open, false},
		{"other viewer", user("usr_d", access.RoleViewer), open, false},
		{"allowed user", user("usr_b", access.RoleViewer), shared, false},
		{"allowed user, uploader", user("usr_b", access.RoleUploader), shared, false},
		{"allowed user without read", withKey(user("usr_b", access.RoleUploader), U), open, false},
		{"group member", user("usr_e", access.RoleViewer, "other", "team"), shared, false},
		{"member of another group", user("usr_f", access.RoleViewer, "teams"), open, false},
		{"group member with a read key", withKey(user("usr_e", access.RoleViewer, "team"), R), shared, false},

		{"user-less admin key", userless("key_admin", access.RoleAdmin, R, U, A), all, true},
		{"user-less upload key", userless("key_up", access.RoleUploader, R, U), open, false},
		{"user-less key that owns them", userless(owner, access.RoleUploader, R, U), all, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for name, r := range resources {
				want := false
				for _, v := range tt.view {
					want = want || v == name
				}
				require.Equal(t, want, access.CanView(tt.p, r), "view %s", name)
				require.Equal(t, tt.edit, access.CanEdit(tt.p, r), "edit %s", name)
			}
		})
	}
}

// TestEditNeedsOwnership: changing is never granted by sharing, whatever
// the visibility.
func TestEditNeedsOwnership(t *testing.T) {
	t.Parallel()
	r := access.Resource{OwnerID: owner, Visibility: access.Public, AllowedUsers: []string{"usr_b"}, AllowedGroups: []string{"team"}}
	for _, p := range []access.Principal{
		user("usr_b", access.RoleUploader, "team"),
		user("usr_b", access.RoleAdmin+"x"), // unknown role: no scopes
		{ID: "usr_b", Scopes: []access.Scope{access.ScopeUpload}},
	} {
		require.False(t, access.CanEdit(p, r), "%+v", p)
	}
	// An owner id of "" (videos from before accounts) is nobody's.
	orphan := access.Resource{Visibility: access.Private}
	uploader := user("usr_c", access.RoleUploader)
	require.False(t, access.CanView(uploader, orphan))
	require.False(t, access.CanEdit(uploader, orphan))
	require.True(t, access.CanEdit(user("usr_admin", access.RoleAdmin), orphan))
}

func TestRoleScopes(t *testing.T) {
	t.Parallel()
	const R, U, A = access.ScopeRead, access.ScopeUpload, access.ScopeAdmin
	require.Equal(t, []access.Scope{R, U, A}, access.RoleScopes(access.RoleAdmin))
	require.Equal(t, []access.Scope{R, U}, access.RoleScopes(access.RoleUploader))
	require.Equal(t, []access.Scope{R}, access.RoleScopes(access.RoleViewer))
	require.Empty(t, access.RoleScopes("root"))
	for _, r := range []access.Role{access.RoleAdmin, access.RoleUploader, access.RoleViewer} {
		require.True(t, r.Valid(), r)
	}
	for _, r := range []access.Role{"", "Admin", "root", "admin "} {
		require.False(t, r.Valid(), r)
	}

	// A session acts with the role's scopes and is marked for CSRF checks.
	p := access.User{ID: "usr_a", Role: access.RoleUploader, Groups: []string{"team"}}.Principal()
	require.True(t, p.Session)
	require.Equal(t, []access.Scope{R, U}, p.Scopes)
	require.False(t, p.Admin())
	require.False(t, p.Anonymous())
	require.True(t, access.Principal{}.Anonymous())
}

func TestScopes(t *testing.T) {
	t.Parallel()
	const R, U, A = access.ScopeRead, access.ScopeUpload, access.ScopeAdmin
	ok := map[string][]access.Scope{
		"":                    {},
		"read":                {R},
		" admin , read ":      {R, A},
		"upload,read,upload":  {R, U},
		"admin,upload,read,,": {R, U, A},
		"read,upload,admin":   {R, U, A},
		"upload":              {U},
	}
	for in, want := range ok {
		got, valid := access.ParseScopes(in)
		require.True(t, valid, in)
		require.Equal(t, want, got, in)
		require.Equal(t, got, must(access.ParseScopes(access.FormatScopes(got))), "round trip %q", in)
	}
	// One unknown name spoils the list, so a typo never grants a part of it.
	for _, in := range []string{"Read", "write", "read;upload", "*", "read,all", "admin,admin,adm"} {
		got, valid := access.ParseScopes(in)
		require.False(t, valid, in)
		require.Nil(t, got, in)
	}
	require.Equal(t, "read,upload,admin", access.FormatScopes([]access.Scope{A, U, R}))
	require.Equal(t, "", access.FormatScopes(nil))

	require.Equal(t, []access.Scope{R}, access.Intersect([]access.Scope{U, R}, []access.Scope{R, A}))
	require.Equal(t, []access.Scope{R, U}, access.Intersect([]access.Scope{A, U, R}, access.RoleScopes(access.RoleUploader)))
	require.Equal(t, []access.Scope{}, access.Intersect([]access.Scope{A}, access.RoleScopes(access.RoleViewer)))
	require.Equal(t, []access.Scope{}, access.Intersect(nil, access.AllScopes))
}

func must(s []access.Scope, ok bool) []access.Scope {
	if !ok {
		panic("bad scopes")
	}
	return s
}

func TestVisibilityAndGroups(t *testing.T) {
	t.Parallel()
	for _, v := range []access.Visibility{access.Private, access.Unlisted, access.Public, access.Restricted} {
		require.True(t, v.Valid(), v)
	}
	for _, v := range []access.Visibility{"", "Public", "friends", "public "} {
		require.False(t, v.Valid(), v)
	}
	for _, g := range []string{"team", "a", "ops-2", "x_y.z", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01"} {
		require.True(t, access.ValidGroup(g), g)
	}
	for _, g := range []string{"", "Team", "a b", `te"am`, "te%am", "é", "a/b", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz012"} {
		require.False(t, access.ValidGroup(g), g)
	}
}

func TestNarrows(t *testing.T) {
	t.Parallel()
	pub := access.Resource{Visibility: access.Public}
	unl := access.Resource{Visibility: access.Unlisted}
	priv := access.Resource{Visibility: access.Private}
	ab := access.Resource{Visibility: access.Restricted, AllowedUsers: []string{"usr_a", "usr_b"}, AllowedGroups: []string{"team"}}
	a := access.Resource{Visibility: access.Restricted, AllowedUsers: []string{"usr_a"}, AllowedGroups: []string{"team"}}
	abc := access.Resource{Visibility: access.Restricted, AllowedUsers: []string{"usr_a", "usr_b", "usr_c"}, AllowedGroups: []string{"team"}}
	noTeam := access.Resource{Visibility: access.Restricted, AllowedUsers: []string{"usr_a", "usr_b"}}
	tests := []struct {
		name          string
		before, after access.Resource
		want          bool
	}{
		{"public to private", pub, priv, true},
		{"unlisted to private", unl, priv, true},
		{"public to restricted", pub, ab, true},
		{"public to unlisted", pub, unl, false},
		{"unlisted to public", unl, pub, false},
		{"private to public", priv, pub, false},
		{"private to restricted", priv, ab, false},
		{"restricted to private", ab, priv, true},
		{"restricted loses a user", ab, a, true},
		{"restricted loses a group", ab, noTeam, true},
		{"restricted gains a user", ab, abc, false},
		{"restricted unchanged", ab, ab, false},
		{"restricted to public", ab, pub, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := access.Narrows(tt.before, tt.after); got != tt.want {
				t.Fatalf("Narrows = %v, want %v", got, tt.want)
			}
		})
	}
}
