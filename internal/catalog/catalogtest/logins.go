package catalogtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/catalog"
)

// Client address buckets as api.Server.clientKey makes them.
const (
	here  = "192.0.2.1"
	there = "2001:db8:1:2::/64"
)

// testLoginFailures: failures lock an (email, client) pair, known email or
// not; a success clears its own pair, a new password every pair of the email.
func testLoginFailures(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	u, err := c.CreateUser(ctx, catalog.NewUser{Email: "ann@example.com", PasswordHash: "h1", Role: access.RoleViewer})
	require.NoError(t, err)

	until := func(email, client string) *time.Time {
		t.Helper()
		u, err := c.LoginLockedUntil(ctx, email, client)
		require.NoError(t, err)
		return u
	}
	locked := func(email, client string) bool {
		t.Helper()
		u := until(email, client)
		return u != nil && time.Now().Before(*u)
	}
	fail := func(email, client string) {
		t.Helper()
		_, err := c.LoginFailed(ctx, email, client, 3, time.Minute)
		require.NoError(t, err)
	}

	require.Nil(t, until(u.Email, here), "never failed")
	fail(" ANN@Example.com ", here) // the email is normalised
	n, err := c.LoginFailed(ctx, u.Email, here, 3, time.Minute)
	require.NoError(t, err)
	require.Equal(t, 2, n, "failures in a row, whatever case the email was typed in")
	require.False(t, locked(u.Email, here), "two failures")
	fail(u.Email, here)
	require.True(t, locked(u.Email, here), "three failures")
	require.WithinDuration(t, time.Now().Add(time.Minute), *until(u.Email, here), 10*time.Second)
	require.True(t, locked("Ann@example.COM", here))
	require.False(t, locked(u.Email, there), "the owner elsewhere is not locked out")
	require.False(t, locked("bob@example.com", here), "nor is another email from here")

	for range 3 {
		fail("nobody@example.com", here)
	}
	require.True(t, locked("nobody@example.com", here), "unknown emails lock like known ones")

	fail(u.Email, here)
	require.WithinDuration(t, time.Now().Add(2*time.Minute), *until(u.Email, here), 10*time.Second,
		"each further failure doubles the lock")

	// A success clears its own pair only.
	fail(u.Email, there)
	fail(u.Email, there)
	require.NoError(t, c.LoginSucceeded(ctx, u.ID, " ANN@example.com", here))
	require.Nil(t, until(u.Email, here))
	got, err := c.User(ctx, u.ID)
	require.NoError(t, err)
	require.NotNil(t, got.LastLoginAt)
	fail(u.Email, here)
	fail(u.Email, here)
	require.False(t, locked(u.Email, here), "the count starts again")
	fail(u.Email, there)
	require.True(t, locked(u.Email, there), "the other pair kept its count")

	// Edits leave the locks; a new password lifts every lock of the email.
	name := "Ann"
	_, err = c.UpdateUser(ctx, u.ID, catalog.UserPatch{Name: &name})
	require.NoError(t, err)
	require.True(t, locked(u.Email, there))
	newHash := "h2"
	_, err = c.UpdateUser(ctx, u.ID, catalog.UserPatch{PasswordHash: &newHash})
	require.NoError(t, err)
	require.Nil(t, until(u.Email, there))
	require.Nil(t, until(u.Email, here))
	fail(u.Email, here)
	fail(u.Email, here)
	require.False(t, locked(u.Email, here), "the counts are gone too")
	require.True(t, locked("nobody@example.com", here), "other emails keep theirs")
}

// testStaleLoginFailures: housekeeping removes pairs that are unlocked and
// idle, and keeps live locks.
func testStaleLoginFailures(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	failed := func(email string, lockAfter int, lockFor time.Duration) int {
		t.Helper()
		n, err := c.LoginFailed(ctx, email, here, lockAfter, lockFor)
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 1, failed("counting@example.com", 2, time.Minute)) // one failure, no lock
	failed("locked@example.com", 1, time.Hour)                          // locked for an hour
	failed("ended@example.com", 1, time.Millisecond)                    // lock over at once
	time.Sleep(20 * time.Millisecond)

	n, err := c.DeleteStaleLoginFailures(ctx, time.Hour)
	require.NoError(t, err)
	require.Zero(t, n, "every failure is recent")
	n, err = c.DeleteStaleLoginFailures(ctx, 5*time.Millisecond)
	require.NoError(t, err)
	require.EqualValues(t, 2, n)

	until, err := c.LoginLockedUntil(ctx, "locked@example.com", here)
	require.NoError(t, err)
	require.NotNil(t, until, "a live lock stays")
	until, err = c.LoginLockedUntil(ctx, "ended@example.com", here)
	require.NoError(t, err)
	require.Nil(t, until, "an ended lock goes")
	require.Equal(t, 1, failed("counting@example.com", 2, time.Minute), "the idle count was removed: counting starts again")
	until, err = c.LoginLockedUntil(ctx, "counting@example.com", here)
	require.NoError(t, err)
	require.Nil(t, until, "an idle count starts from zero")
}
