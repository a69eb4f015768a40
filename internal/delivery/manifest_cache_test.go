package delivery

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/stretchr/testify/require"
)

// A cached manifest is never served once the stored object changes (a video
// reprocessed in place), and each token gets its own rewrite.
func TestManifestCacheFollowsStoredVersion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := mediaURL(videoID, "v0/index.m3u8", b.token)
	first := b.get(u)
	require.Equal(t, http.StatusOK, first.Code)
	require.Contains(t, first.Body.String(), "seg_00001.m4s?token=")
	require.Equal(t, first.Body.String(), b.get(u).Body.String())

	b.put(t, "media/"+videoID+"/v0/index.m3u8", "#EXTM3U\n#EXTINF:4,\nseg_00099.m4s\n#EXT-X-ENDLIST\n")
	// Within manifestRecheck the cached copy may still be served; after it,
	// never.
	b.now = b.now.Add(manifestRecheck)
	again := b.get(u)
	require.Equal(t, http.StatusOK, again.Code)
	require.Contains(t, again.Body.String(), "seg_00099.m4s?token=")
	require.NotContains(t, again.Body.String(), "seg_00001.m4s")
	require.NotEqual(t, first.Header().Get("ETag"), again.Header().Get("ETag"))

	other := b.sign(t, videoID, auth.PurposePlay, b.now.Add(2*time.Hour))
	body := b.get(mediaURL(videoID, "v0/index.m3u8", other)).Body.String()
	require.Contains(t, body, other)
	require.NotContains(t, body, b.token)

	// Cookie requests get the stored bytes, not a token's rewrite.
	c := b.cookie(t, CookieGrant{VideoID: videoID}, time.Hour)
	w := b.get("/media/"+videoID+"/v0/index.m3u8", "Cookie", c.String())
	require.Equal(t, http.StatusOK, w.Code)
	require.NotContains(t, w.Body.String(), "token=")

	// Deleted: 404, not the cached copy.
	require.NoError(t, b.store.Delete(t.Context(), "media/"+videoID+"/v0/index.m3u8"))
	b.now = b.now.Add(manifestRecheck)
	require.Equal(t, http.StatusNotFound, b.get(u).Code)
}

// A cached manifest still goes through every check: a revoked grant is
// refused even though its rewrite is cached.
func TestManifestCacheStillChecksGrant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := mediaURL(videoID, "master.m3u8", b.token)
	require.Equal(t, http.StatusOK, b.get(u).Code)
	b.mu.Lock()
	b.published[videoID] = false
	b.mu.Unlock()
	b.h = NewHandler(b.store, b.keys, b.gate, nil, func() time.Time { return b.now }) // no gate cache carried over
	require.Equal(t, http.StatusNotFound, b.get(u).Code)
}

func TestManifestCacheBounds(t *testing.T) {
	t.Parallel()
	c := newManifestCache()
	body := []byte(strings.Repeat("x", 64<<10))
	for i := range 2 * maxCachedManifestBytes / len(body) {
		c.put(manifestKey{key: fmt.Sprint(i)}, &manifestEntry{body: body})
		require.LessOrEqual(t, c.bytes, maxCachedManifestBytes)
	}
	require.NotNil(t, c.get(manifestKey{key: fmt.Sprint(2*maxCachedManifestBytes/len(body) - 1)}))
	c.put(manifestKey{key: "huge"}, &manifestEntry{body: make([]byte, maxCachedManifestSize+1)})
	require.Nil(t, c.get(manifestKey{key: "huge"}))
	for i := range maxCachedManifests + 10 {
		c.put(manifestKey{key: "n", token: fmt.Sprint(i)}, &manifestEntry{body: []byte("y")})
		require.LessOrEqual(t, len(c.entries), maxCachedManifests)
	}
}
