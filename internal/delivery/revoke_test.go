package delivery

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
)

// TestRevokedGrants: once a video's sharing narrows (its Gate's NotBefore),
// every grant issued earlier is refused on every path, through the token
// cache and the gate cache alike, while grants issued after still play.
func TestRevokedGrants(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.withOptions(Options{PublishedTTL: time.Minute})
	old := b.signClaims(t, auth.Claims{VideoID: videoID, IssuedAt: b.now.Add(-time.Minute)})
	oldCookie := b.cookie(t, CookieGrant{VideoID: videoID}, time.Hour)
	paths := []string{"/media/" + videoID + "/master.m3u8", "/media/" + videoID + "/v0/index.m3u8", "/media/" + videoID + "/v0/seg_00001.m4s"}
	for _, p := range paths {
		require.Equal(t, http.StatusOK, b.request(p+"?token="+old, "").Code, p)
		require.Equal(t, http.StatusOK, b.request(p+"?token="+b.token, "").Code, "a grant without an issue time plays while nothing is revoked")
		require.Equal(t, http.StatusOK, b.request(p, "", oldCookie).Code, p)
	}

	// Unshared now: a fresh gate answer is needed (the cached one lives a
	// minute), as in production within DefaultPublishedTTL.
	b.mu.Lock()
	b.notBefore = map[string]time.Time{videoID: b.now.Add(time.Second)}
	b.mu.Unlock()
	b.now = b.now.Add(time.Minute)
	fresh := b.signClaims(t, auth.Claims{VideoID: videoID, IssuedAt: b.now})
	b.now = b.now.Add(time.Millisecond)
	freshCookie := b.cookie(t, CookieGrant{VideoID: videoID}, time.Hour)
	for _, p := range paths {
		requireRefused(t, b.request(p+"?token="+old, ""), http.StatusForbidden, p)
		requireRefused(t, b.request(p+"?token="+b.token, ""), http.StatusForbidden, "no issue time: older than any revocation")
		requireRefused(t, b.request(p, "", oldCookie), http.StatusForbidden, p)
		require.Equal(t, http.StatusOK, b.request(p+"?token="+fresh, "").Code, p)
		require.Equal(t, http.StatusOK, b.request(p, "", freshCookie).Code, p)
		require.Equal(t, http.StatusOK, b.request(p, "", oldCookie, freshCookie).Code, "a revoked cookie does not hide a fresh one")
		require.Equal(t, http.StatusOK, b.request(p, "", freshCookie, oldCookie).Code, "in either order")
	}
}

// users is a counting UserGateFunc answering from a map; a missing user is
// not active.
type users struct {
	mu    sync.Mutex
	gates map[string]UserGate
	asked map[string]int
}

func (u *users) gate(_ context.Context, id string) (UserGate, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.asked[id]++
	return u.gates[id], nil
}

func (u *users) set(id string, g *UserGate) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if g == nil {
		delete(u.gates, id)
		return
	}
	u.gates[id] = *g
}

func (u *users) total() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := 0
	for _, c := range u.asked {
		n += c
	}
	return n
}

// TestUserRevokedGrants: a grant issued to a user is refused once that user
// loses access (their UserGate's NotBefore), is deleted or is disabled,
// through the token and gate caches; other users' grants and anonymous
// grants keep playing, and anonymous grants never ask about a user.
func TestUserRevokedGrants(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := &users{gates: map[string]UserGate{"usr_a": {Active: true}, "usr_b": {Active: true}}, asked: map[string]int{}}
	b.withOptions(Options{PublishedTTL: time.Minute, UserGateFunc: u.gate})
	paths := []string{"/media/" + videoID + "/master.m3u8", "/media/" + videoID + "/v0/index.m3u8", "/media/" + videoID + "/v0/seg_00001.m4s"}

	anon := b.signClaims(t, auth.Claims{VideoID: videoID, IssuedAt: b.now})
	anonCookie := b.cookie(t, CookieGrant{VideoID: videoID}, time.Hour)
	for _, p := range paths {
		require.Equal(t, http.StatusOK, b.request(p+"?token="+anon, "").Code, p)
		require.Equal(t, http.StatusOK, b.request(p, "", anonCookie).Code, p)
	}
	require.Zero(t, u.total(), "anonymous grants cost no user lookup")

	a := b.signClaims(t, auth.Claims{VideoID: videoID, IssuedAt: b.now, UserID: "usr_a"})
	aCookie := b.cookie(t, CookieGrant{VideoID: videoID, UserID: "usr_a"}, time.Hour)
	other := b.signClaims(t, auth.Claims{VideoID: videoID, IssuedAt: b.now, UserID: "usr_b"})
	gone := b.signClaims(t, auth.Claims{VideoID: videoID, IssuedAt: b.now, UserID: "usr_gone"})
	for _, p := range paths {
		require.Equal(t, http.StatusOK, b.request(p+"?token="+a, "").Code, p)
		require.Equal(t, http.StatusOK, b.request(p, "", aCookie).Code, p)
		require.Equal(t, http.StatusOK, b.request(p+"?token="+other, "").Code, p)
		requireRefused(t, b.request(p+"?token="+gone, ""), http.StatusForbidden, "a missing user's grant is revoked")
	}
	require.Equal(t, map[string]int{"usr_a": 1, "usr_b": 1, "usr_gone": 1}, u.asked, "one lookup per user while cached")

	// usr_a loses access; the cached answer lives a minute.
	u.set("usr_a", &UserGate{Active: true, NotBefore: b.now.Add(time.Second)})
	b.now = b.now.Add(time.Minute)
	fresh := b.signClaims(t, auth.Claims{VideoID: videoID, IssuedAt: b.now, UserID: "usr_a"})
	for _, p := range paths {
		requireRefused(t, b.request(p+"?token="+a, ""), http.StatusForbidden, p)
		requireRefused(t, b.request(p, "", aCookie), http.StatusForbidden, p)
		require.Equal(t, http.StatusOK, b.request(p+"?token="+fresh, "").Code, "a grant made after the change plays")
		require.Equal(t, http.StatusOK, b.request(p+"?token="+other, "").Code, "another user's grant still plays")
		require.Equal(t, http.StatusOK, b.request(p+"?token="+anon, "").Code, p)
	}

	// usr_a is deleted, usr_b disabled: even fresh grants stop.
	u.set("usr_a", nil)
	u.set("usr_b", &UserGate{Active: false})
	b.now = b.now.Add(time.Minute)
	for _, p := range paths {
		requireRefused(t, b.request(p+"?token="+fresh, ""), http.StatusForbidden, "deleted user")
		requireRefused(t, b.request(p+"?token="+other, ""), http.StatusForbidden, "disabled user")
		require.Equal(t, http.StatusOK, b.request(p+"?token="+anon, "").Code, p)
	}

	// Without a UserGateFunc nothing can vouch for a user: such grants are
	// refused, anonymous ones are not.
	plain := setup(t)
	ua := plain.signClaims(t, auth.Claims{VideoID: videoID, IssuedAt: plain.now, UserID: "usr_a"})
	requireRefused(t, plain.request(paths[0]+"?token="+ua, ""), http.StatusForbidden, "no user gate")
	require.Equal(t, http.StatusOK, plain.request(paths[0]+"?token="+plain.token, "").Code)
}
