package delivery

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/stretchr/testify/require"
)

const segment = "v0/seg_00000.m4s"

// flip changes the first character of s to another base64url character.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestTokenCacheSkipsVerification(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for range 5 {
		require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, b.token)).Code)
	}
	require.Len(t, b.h.tokens.entries, 1, "one entry per token, not per request")

	// A string that is not a token at all is served once it sits in the
	// cache: proof that a hit skips Verify (and why only verified tokens may
	// ever be stored).
	claims, err := b.keys.Verify(b.token, auth.PurposePlay, b.now)
	require.NoError(t, err)
	b.h.tokens.put("planted", 0, claims, b.now)
	require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, "planted")).Code)
}

func TestTokenCacheRefusesTampered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, b.token)).Code)
	p, s, _ := strings.Cut(b.token, ".")
	other := b.sign(t, "other", auth.PurposePlay, b.now.Add(time.Hour))
	op, _, _ := strings.Cut(other, ".")
	for name, tok := range map[string]string{
		// Same claims, broken signature: a cache keyed on the payload would
		// take it.
		"signature":               p + "." + flip(s),
		"payload":                 flip(p) + "." + s,
		"other video's payload":   op + "." + s,
		"truncated signature":     p + "." + s[:len(s)-1],
		"extra character":         b.token + "A",
		"signature only":          "." + s,
		"payload only":            p,
		"payload with empty sig":  p + ".",
		"upload token, same body": b.sign(t, videoID, auth.PurposeUpload, b.now.Add(time.Hour)),
	} {
		for _, rel := range []string{segment, "master.m3u8"} {
			requireRefused(t, b.get(mediaURL(videoID, rel, tok)), http.StatusForbidden, name+" "+rel)
		}
		_, cached := b.h.tokens.get(tok, 0, b.now)
		require.False(t, cached, "a refused token is never cached: %s", name)
	}
	// The genuine token still works.
	require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, b.token)).Code)
}

func TestTokenCacheExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	exp := b.now.Add(10 * time.Second)
	tok := b.sign(t, videoID, auth.PurposePlay, exp)
	c := b.cookie(t, CookieGrant{VideoID: videoID}, 10*time.Second)

	require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, tok)).Code)
	require.Equal(t, http.StatusOK, b.request("/media/"+videoID+"/"+segment, "", c).Code)
	b.now = exp.Add(-time.Nanosecond)
	require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, tok)).Code, "cached and still valid")
	require.Equal(t, http.StatusOK, b.request("/media/"+videoID+"/"+segment, "", c).Code)
	for _, at := range []time.Time{exp, exp.Add(time.Second), exp.Add(time.Hour)} {
		b.now = at
		for _, rel := range []string{segment, "master.m3u8", "a0/init.mp4"} {
			requireRefused(t, b.get(mediaURL(videoID, rel, tok)), http.StatusForbidden, "query token at "+at.String())
			requireRefused(t, b.request("/media/"+videoID+"/"+rel, "", c), http.StatusForbidden, "cookie at "+at.String())
		}
	}
}

func TestTokenCacheStillChecksGrant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	boundTo := netip.MustParseAddr("203.0.113.7")
	bound := b.signClaims(t, auth.Claims{VideoID: videoID, ClientIP: boundTo})
	rung := b.signClaims(t, auth.Claims{PathPrefix: "/media/" + videoID + "/v0/"})
	theirs := b.cookie(t, CookieGrant{VideoID: videoID}, 2*time.Hour) // not b.token's bytes

	// Warm the cache with each token where it is valid.
	require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, b.token)).Code)
	require.Equal(t, http.StatusOK, b.request(mediaURL(videoID, segment, bound), "203.0.113.7:1").Code)
	require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, rung)).Code)
	require.Equal(t, http.StatusOK, b.request("/media/"+videoID+"/"+segment, "", theirs).Code)
	require.Len(t, b.h.tokens.entries, 4)

	for name, w := range map[string]func() int{
		"video A's token on video B":       func() int { return b.get(mediaURL("other", segment, b.token)).Code },
		"video A's token on B's manifest":  func() int { return b.get(mediaURL("other", "master.m3u8", b.token)).Code },
		"video A's cookie on video B":      func() int { return b.request("/media/other/"+segment, "", theirs).Code },
		"bound token from another address": func() int { return b.request(mediaURL(videoID, segment, bound), "203.0.113.8:1").Code },
		"bound token with no address":      func() int { return b.request(mediaURL(videoID, segment, bound), "garbage").Code },
		"rung token on another rung":       func() int { return b.get(mediaURL(videoID, "a0/seg_00000.m4s", rung)).Code },
		"rung token on the master":         func() int { return b.get(mediaURL(videoID, "master.m3u8", rung)).Code },
		"rung token on another video":      func() int { return b.get(mediaURL("other", segment, rung)).Code },
	} {
		require.Equal(t, http.StatusForbidden, w(), name)
	}
	// A refusal does not evict: the token still works where it is valid.
	require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, b.token)).Code)
}

// TestTokenCacheKeyRotation rotates and then retires a key the way an
// operator does (kinema keys rotate / remove) while one handler keeps
// running on an auth.KeyRing, as in `kinema serve`.
func TestTokenCacheKeyRotation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	dir := t.TempDir()
	ring, err := auth.NewKeyRing(dir, nil)
	require.NoError(t, err)
	b.h = NewHandler(b.store, ring, func(context.Context, string) (Gate, error) { return Gate{Published: true}, nil }, nil, func() time.Time { return b.now })
	old := b.signWith(t, ring.Current())
	target := mediaURL(videoID, segment, old)
	oldCookie, err := PlaybackCookie("https://kinema.test", ring, CookieGrant{VideoID: videoID}, time.Hour, b.now)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, b.get(target).Code)
	require.Equal(t, http.StatusOK, b.request("/media/"+videoID+"/"+segment, "", oldCookie).Code)

	// Rotation: the new key signs, the old one still verifies.
	oldKID := ring.KeyID()
	_, err = auth.RotateKey(dir)
	require.NoError(t, err)
	require.NoError(t, ring.Reload())
	require.NotEqual(t, oldKID, ring.KeyID())
	require.Equal(t, http.StatusOK, b.get(target).Code, "in-flight links survive a rotation")
	require.Equal(t, http.StatusOK, b.request("/media/"+videoID+"/"+segment, "", oldCookie).Code)
	fresh := b.signWith(t, ring.Current())
	c, err := ring.Verify(fresh, auth.PurposePlay, b.now)
	require.NoError(t, err)
	require.Equal(t, ring.KeyID(), c.KeyID)
	require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, fresh)).Code)
	_, cached := b.h.tokens.get(old, ring.Generation(), b.now)
	require.True(t, cached, "the old token sits in the cache, verified under the current keys")

	// Retirement: the old key is gone, its token stops working at once,
	// though it was cached.
	require.NoError(t, auth.RemoveKey(dir, oldKID))
	require.NoError(t, ring.Reload())
	requireRefused(t, b.get(target), http.StatusForbidden, "removed key")
	requireRefused(t, b.get(mediaURL(videoID, "master.m3u8", old)), http.StatusForbidden, "removed key, manifest")
	requireRefused(t, b.request("/media/"+videoID+"/"+segment, "", oldCookie), http.StatusForbidden, "removed key, cookie")
	require.Equal(t, http.StatusOK, b.get(mediaURL(videoID, segment, fresh)).Code)
	require.Len(t, b.h.tokens.entries, 1, "entries of the old generation are gone")
}

// TestTokenCacheGenerations checks the cache's own rules: entries answer
// only for the generation they were verified under, a newer generation
// drops the older entries, and claims verified under an older generation
// than the cache's (a request that raced a reload) are not stored.
func TestTokenCacheGenerations(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	claims := auth.Claims{VideoID: videoID, Purpose: auth.PurposePlay, ExpiresAt: now.Add(time.Hour)}
	c := newTokenCache()
	c.put("a", 1, claims, now)
	_, ok := c.get("a", 1, now)
	require.True(t, ok)
	_, ok = c.get("a", 2, now)
	require.False(t, ok, "verified under other keys")

	c.put("b", 2, claims, now)
	_, ok = c.get("b", 2, now)
	require.True(t, ok)
	require.Len(t, c.entries, 1, "generation 1 dropped")

	c.put("late", 1, claims, now)
	_, ok = c.get("late", 1, now)
	require.False(t, ok, "a stale verification is not stored")
	_, ok = c.get("late", 2, now)
	require.False(t, ok)
}

func bytes32(b byte) []byte {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = b
	}
	return s
}

// countingPublished is a GateFunc with a switch and a call count.
type countingPublished struct {
	mu        sync.Mutex
	published map[string]bool
	err       error
	calls     int
}

func (c *countingPublished) gate(_ context.Context, id string) (Gate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return Gate{Published: c.published[id]}, c.err
}

func (c *countingPublished) set(id string, published bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.published[id], c.err = published, err
}

func (c *countingPublished) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// publishedSetup is setup with a counting GateFunc and the given ttl.
func publishedSetup(t *testing.T, ttl time.Duration) (*bundle, *countingPublished) {
	t.Helper()
	b := setup(t)
	pub := &countingPublished{published: map[string]bool{videoID: true, "other": true}}
	b.h = NewHandlerOptions(b.store, b.keys, pub.gate, nil, func() time.Time { return b.now }, Options{PublishedTTL: ttl})
	return b, pub
}

func TestPublishedCacheUnpublish(t *testing.T) {
	t.Parallel()
	b, pub := publishedSetup(t, 0)
	start := b.now
	seg := mediaURL(videoID, segment, b.token)
	for range 10 {
		require.Equal(t, http.StatusOK, b.get(seg).Code)
	}
	require.Equal(t, 1, pub.count(), "one query per video per ttl")

	// Unpublished (or deleted): served until the answer is DefaultPublishedTTL
	// old, and not a moment longer.
	pub.set(videoID, false, nil)
	b.now = start.Add(DefaultPublishedTTL - time.Millisecond)
	require.Equal(t, http.StatusOK, b.get(seg).Code, "within the ttl the cached answer stands")
	b.now = start.Add(DefaultPublishedTTL)
	requireRefused(t, b.get(seg), http.StatusNotFound, "ttl passed")
	requireRefused(t, b.get(mediaURL(videoID, "master.m3u8", b.token)), http.StatusNotFound, "manifest too")
	require.Equal(t, 2, pub.count())

	// Negative answers are cached too, for the same time.
	pub.set(videoID, true, nil)
	b.now = start.Add(2*DefaultPublishedTTL - time.Millisecond)
	require.Equal(t, http.StatusNotFound, b.get(seg).Code)
	b.now = start.Add(2 * DefaultPublishedTTL)
	require.Equal(t, http.StatusOK, b.get(seg).Code)
	require.Equal(t, 3, pub.count())

	// Each video has its own entry.
	require.Equal(t, http.StatusOK, b.get(mediaURL("other", segment, b.sign(t, "other", auth.PurposePlay, b.now.Add(time.Hour)))).Code)
	require.Equal(t, 4, pub.count())
}

func TestPublishedCacheErrorsNotCached(t *testing.T) {
	t.Parallel()
	b, pub := publishedSetup(t, time.Minute)
	seg := mediaURL(videoID, segment, b.token)
	pub.set(videoID, true, errors.New("db down"))
	requireRefused(t, b.get(seg), http.StatusInternalServerError, "error")
	pub.set(videoID, true, nil)
	require.Equal(t, http.StatusOK, b.get(seg).Code, "recovers without waiting for a ttl")
	require.Equal(t, 2, pub.count())

	// Refused requests never reach the catalog at all.
	requireRefused(t, b.get(mediaURL("other", segment, b.token)), http.StatusForbidden, "wrong video")
	require.Equal(t, 2, pub.count())
}

func TestPublishedCacheDisabled(t *testing.T) {
	t.Parallel()
	b, pub := publishedSetup(t, -1)
	seg := mediaURL(videoID, segment, b.token)
	require.Equal(t, http.StatusOK, b.get(seg).Code)
	pub.set(videoID, false, nil)
	requireRefused(t, b.get(seg), http.StatusNotFound, "asked on every request")
	require.Equal(t, 2, pub.count())
}

func TestCacheBounds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	claims, err := b.keys.Verify(b.token, auth.PurposePlay, b.now)
	require.NoError(t, err)
	c := newTokenCache()
	for i := range 3 * maxCachedTokens {
		c.put(fmt.Sprint(i), 0, claims, b.now)
		require.LessOrEqual(t, len(c.entries), maxCachedTokens)
	}
	_, ok := c.get(fmt.Sprint(3*maxCachedTokens-1), 0, b.now)
	require.True(t, ok, "the newest entry survives eviction")

	pub := &countingPublished{published: map[string]bool{}}
	pc := newGateCache(time.Second, maxCachedVideos, pub.gate)
	for i := range 3 * maxCachedVideos {
		_, err := pc.gate(t.Context(), fmt.Sprint(i), b.now)
		require.NoError(t, err)
		require.LessOrEqual(t, len(pc.entries), maxCachedVideos)
	}
}

func TestEvict(t *testing.T) {
	t.Parallel()
	stale := func(v int) bool { return v < 0 }
	// Stale entries go first; if they free enough, live ones stay.
	m := map[string]int{"a": -1, "b": -1, "c": -1, "d": 1}
	evict(m, 4, stale)
	require.Equal(t, map[string]int{"d": 1}, m)
	// With nothing stale, a quarter is freed.
	m = map[string]int{}
	for i := range 100 {
		m[fmt.Sprint(i)] = i
	}
	evict(m, 100, stale)
	require.Len(t, m, 75)
}
