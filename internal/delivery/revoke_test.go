package delivery

import (
	"net/http"
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
