package catalogtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

func mkUser(t *testing.T, c *catalog.Catalog, email string, role access.Role) access.User {
	t.Helper()
	u, err := c.CreateUser(context.Background(), catalog.NewUser{Email: email, PasswordHash: "h-" + email, Role: role})
	require.NoError(t, err)
	return u
}

func mkSession(t *testing.T, c *catalog.Catalog, userID, idHash string) {
	t.Helper()
	require.NoError(t, c.CreateSession(context.Background(), idHash,
		catalog.Session{UserID: userID, CSRFToken: "csrf", ExpiresAt: time.Now().Add(time.Hour)}))
}

func sessionLive(t *testing.T, c *catalog.Catalog, idHash string) bool {
	t.Helper()
	_, _, err := c.SessionUser(context.Background(), idHash, time.Hour)
	if err != nil {
		require.ErrorIs(t, err, media.ErrUnauthorized)
	}
	return err == nil
}

// testLastAdmin: the last active admin cannot be demoted, disabled or
// deleted, and a refused change changes nothing.
func testLastAdmin(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	a := mkUser(t, c, "a@example.com", access.RoleAdmin)
	v := mkUser(t, c, "v@example.com", access.RoleViewer)
	mkSession(t, c, a.ID, "sess-a")
	viewer, admin, yes, no := access.RoleViewer, access.RoleAdmin, true, false
	name, hash := "renamed", "new-hash"

	for _, p := range []catalog.UserPatch{
		{Role: &viewer, Name: &name},
		{Disabled: &yes, PasswordHash: &hash},
	} {
		_, err := c.UpdateUser(ctx, a.ID, p)
		require.ErrorIs(t, err, catalog.ErrLastAdmin)
	}
	require.ErrorIs(t, c.DeleteUser(ctx, a.ID), catalog.ErrLastAdmin)
	got, err := c.User(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, a, got, "a refused change changes nothing")
	cr, err := c.CredentialsByEmail(ctx, a.Email)
	require.NoError(t, err)
	require.Equal(t, "h-a@example.com", cr.PasswordHash)
	require.True(t, sessionLive(t, c, "sess-a"))

	// Other changes to the last admin, and any to others, are fine.
	_, err = c.UpdateUser(ctx, a.ID, catalog.UserPatch{Name: &name, Role: &admin, Disabled: &no})
	require.NoError(t, err)
	_, err = c.UpdateUser(ctx, v.ID, catalog.UserPatch{Role: &viewer, Disabled: &yes})
	require.NoError(t, err)
	require.NoError(t, c.DeleteUser(ctx, v.ID))

	// A disabled admin does not count.
	b := mkUser(t, c, "b@example.com", access.RoleAdmin)
	_, err = c.UpdateUser(ctx, b.ID, catalog.UserPatch{Disabled: &yes})
	require.NoError(t, err)
	_, err = c.UpdateUser(ctx, a.ID, catalog.UserPatch{Role: &viewer})
	require.ErrorIs(t, err, catalog.ErrLastAdmin)

	// With a second active admin either may go, but not both.
	_, err = c.UpdateUser(ctx, b.ID, catalog.UserPatch{Disabled: &no})
	require.NoError(t, err)
	_, err = c.UpdateUser(ctx, a.ID, catalog.UserPatch{Role: &viewer})
	require.NoError(t, err)
	require.ErrorIs(t, c.DeleteUser(ctx, b.ID), catalog.ErrLastAdmin)
	n, err := c.CountUsers(ctx, access.RoleAdmin)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	_, err = c.UpdateUser(ctx, "usr_missing", catalog.UserPatch{Role: &viewer})
	require.ErrorIs(t, err, media.ErrNotFound)
}

// testConcurrentLastAdmin: two admins demoting, disabling or deleting each
// other at the same moment: exactly one succeeds, one admin stays.
func testConcurrentLastAdmin(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	viewer, yes := access.RoleViewer, true
	ops := []func(id string) error{
		func(id string) error { _, err := c.UpdateUser(ctx, id, catalog.UserPatch{Role: &viewer}); return err },
		func(id string) error { _, err := c.UpdateUser(ctx, id, catalog.UserPatch{Disabled: &yes}); return err },
		func(id string) error { return c.DeleteUser(ctx, id) },
	}
	survivor := mkUser(t, c, "admin-0@example.com", access.RoleAdmin).ID
	for round := range 9 { // every pair of operations
		ids := []string{survivor, mkUser(t, c, fmt.Sprintf("admin-%d@example.com", round+1), access.RoleAdmin).ID}
		pair := []func(string) error{ops[round%3], ops[(round+round/3)%3]}
		errs := make([]error, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				<-start
				errs[i] = pair[i](ids[i])
			})
		}
		close(start)
		wg.Wait()
		succeeded := 0
		for i, err := range errs {
			if err == nil {
				succeeded++
				continue
			}
			require.ErrorIs(t, err, catalog.ErrLastAdmin, "round %d", round)
			survivor = ids[i]
		}
		require.Equal(t, 1, succeeded, "round %d: %v", round, errs)
		n, err := c.CountUsers(ctx, access.RoleAdmin)
		require.NoError(t, err)
		require.Equal(t, 1, n, "round %d", round)
	}
}

// testDeleteUserAtomic: deleting a user takes their sessions, keys and
// webhook endpoints (with their deliveries) in one transaction; a refused
// or failed delete removes nothing.
func testDeleteUserAtomic(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	hook := func(owner string) catalog.WebhookEndpoint {
		t.Helper()
		ep, err := c.CreateWebhookEndpoint(ctx, catalog.WebhookEndpoint{OwnerID: owner, URL: "https://hooks.example/" + owner,
			Secret: "s", Events: []string{"video.ready"}})
		require.NoError(t, err)
		return ep
	}

	// An id that is no user's (here a user-less API key, which owns
	// endpoints too) is not found, and its endpoints stay.
	k, err := c.CreateAPIKey(ctx, "legacy", "legacy-hash", false)
	require.NoError(t, err)
	kep := hook(k.ID)
	require.ErrorIs(t, c.DeleteUser(ctx, k.ID), media.ErrNotFound)
	_, err = c.WebhookEndpoint(ctx, kep.ID, k.ID)
	require.NoError(t, err, "a failed delete removes no endpoint")

	// The last admin's refused delete leaves everything.
	a := mkUser(t, c, "a@example.com", access.RoleAdmin)
	mkSession(t, c, a.ID, "sess-a")
	_, err = c.CreateUserAPIKey(ctx, a.ID, "ci", "key-a", []access.Scope{access.ScopeRead})
	require.NoError(t, err)
	aep := hook(a.ID)
	require.ErrorIs(t, c.DeleteUser(ctx, a.ID), catalog.ErrLastAdmin)
	require.True(t, sessionLive(t, c, "sess-a"))
	_, err = c.APIKeyByHash(ctx, "key-a")
	require.NoError(t, err)
	_, err = c.WebhookEndpoint(ctx, aep.ID, a.ID)
	require.NoError(t, err)

	// A delete takes it all.
	u := mkUser(t, c, "u@example.com", access.RoleUploader)
	mkSession(t, c, u.ID, "sess-u")
	_, err = c.CreateUserAPIKey(ctx, u.ID, "ci", "key-u", []access.Scope{access.ScopeRead})
	require.NoError(t, err)
	uep := hook(u.ID)
	did := catalog.NewWebhookDeliveryID()
	_, err = c.CreateWebhookDelivery(ctx, did, uep.ID, "video.ready", []byte(`{}`))
	require.NoError(t, err)
	require.NoError(t, c.DeleteUser(ctx, u.ID))
	_, err = c.User(ctx, u.ID)
	require.ErrorIs(t, err, media.ErrNotFound)
	require.False(t, sessionLive(t, c, "sess-u"))
	_, err = c.APIKeyByHash(ctx, "key-u")
	require.ErrorIs(t, err, media.ErrUnauthorized)
	eps, err := c.WebhookEndpoints(ctx, u.ID)
	require.NoError(t, err)
	require.Empty(t, eps)
	_, err = c.WebhookDelivery(ctx, did)
	require.ErrorIs(t, err, media.ErrNotFound)
	require.ErrorIs(t, c.DeleteUser(ctx, u.ID), media.ErrNotFound)
}

// testPasswordEndsSessions: a new password ends every session of its user
// (and only theirs) in the same transaction.
func testPasswordEndsSessions(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	u := mkUser(t, c, "u@example.com", access.RoleViewer)
	other := mkUser(t, c, "o@example.com", access.RoleViewer)
	mkSession(t, c, u.ID, "u1")
	mkSession(t, c, u.ID, "u2")
	mkSession(t, c, other.ID, "o1")
	hash := "new-hash"
	_, err := c.UpdateUser(ctx, u.ID, catalog.UserPatch{PasswordHash: &hash})
	require.NoError(t, err)
	require.False(t, sessionLive(t, c, "u1"))
	require.False(t, sessionLive(t, c, "u2"))
	require.True(t, sessionLive(t, c, "o1"))
	cr, err := c.CredentialsByEmail(ctx, u.Email)
	require.NoError(t, err)
	require.Equal(t, "new-hash", cr.PasswordHash)

	// Other edits keep sessions.
	mkSession(t, c, u.ID, "u3")
	name := "U"
	_, err = c.UpdateUser(ctx, u.ID, catalog.UserPatch{Name: &name})
	require.NoError(t, err)
	require.True(t, sessionLive(t, c, "u3"))
}

// testUserPlaybackGate: every change that takes access away from a user
// (disabled, a role that loses a scope, a group removed, a password set by
// an admin) revokes their earlier playback grants; changes that take
// nothing away do not; a deleted user is not active.
func testUserPlaybackGate(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	mkUser(t, c, "admin@example.com", access.RoleAdmin) // so demotions are allowed
	gate := func(id string) catalog.UserPlaybackGate {
		t.Helper()
		g, err := c.UserPlaybackGate(ctx, id)
		require.NoError(t, err)
		return g
	}
	viewer, uploader, admin, yes, no := access.RoleViewer, access.RoleUploader, access.RoleAdmin, true, false
	name, hash := "renamed", "new-hash"

	for label, tc := range map[string]struct {
		role    access.Role
		groups  []string
		patch   catalog.UserPatch
		revokes bool
	}{
		"rename":             {viewer, nil, catalog.UserPatch{Name: &name}, false},
		"promote":            {viewer, nil, catalog.UserPatch{Role: &uploader}, false},
		"same role":          {uploader, nil, catalog.UserPatch{Role: &uploader}, false},
		"add group":          {viewer, []string{"a"}, catalog.UserPatch{Groups: []string{"a", "b"}}, false},
		"same groups":        {viewer, []string{"a", "b"}, catalog.UserPatch{Groups: []string{"b", "a"}}, false},
		"enable":             {viewer, nil, catalog.UserPatch{Disabled: &no}, false},
		"own password":       {viewer, nil, catalog.UserPatch{PasswordHash: &hash, OwnPassword: true}, false},
		"disable":            {viewer, nil, catalog.UserPatch{Disabled: &yes}, true},
		"demote":             {uploader, nil, catalog.UserPatch{Role: &viewer}, true},
		"demote admin":       {admin, nil, catalog.UserPatch{Role: &uploader}, true},
		"remove group":       {viewer, []string{"a", "b"}, catalog.UserPatch{Groups: []string{"b"}}, true},
		"clear groups":       {viewer, []string{"a"}, catalog.UserPatch{Groups: []string{}}, true},
		"swap group":         {viewer, []string{"a"}, catalog.UserPatch{Groups: []string{"b"}}, true},
		"password reset":     {viewer, nil, catalog.UserPatch{PasswordHash: &hash}, true},
		"rename and disable": {viewer, nil, catalog.UserPatch{Name: &name, Disabled: &yes}, true},
	} {
		u, err := c.CreateUser(ctx, catalog.NewUser{Email: strings.ReplaceAll(label, " ", "-") + "@example.com", PasswordHash: "h", Role: tc.role, Groups: tc.groups})
		require.NoError(t, err)
		require.Equal(t, catalog.UserPlaybackGate{Active: true}, gate(u.ID), label)
		before := time.Now().Add(-time.Millisecond)
		_, err = c.UpdateUser(ctx, u.ID, tc.patch)
		require.NoError(t, err, label)
		g := gate(u.ID)
		if !tc.revokes {
			require.Equal(t, catalog.UserPlaybackGate{Active: true}, g, label)
			continue
		}
		require.True(t, g.NotBefore.After(before) && !g.NotBefore.After(time.Now()), "%s: revoked now: %v", label, g.NotBefore)
		require.Equal(t, tc.patch.Disabled == nil, g.Active, label)

		// A later change that takes nothing away keeps the cut-off.
		_, err = c.UpdateUser(ctx, u.ID, catalog.UserPatch{Name: &name})
		require.NoError(t, err)
		require.Equal(t, g.NotBefore, gate(u.ID).NotBefore, label)
	}

	u := mkUser(t, c, "gone@example.com", access.RoleViewer)
	require.NoError(t, c.DeleteUser(ctx, u.ID))
	require.Equal(t, catalog.UserPlaybackGate{}, gate(u.ID), "a deleted user is not active")
	require.Equal(t, catalog.UserPlaybackGate{}, gate("usr_missing"))
}
