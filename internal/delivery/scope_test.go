package delivery

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/stretchr/testify/require"
)

// withOptions rebuilds b.h with opts, keeping the bundle's store, keys,
// publication state and clock.
func (b *bundle) withOptions(opts Options) {
	b.h = NewHandlerOptions(b.store, b.keys, b.gate, nil, func() time.Time { return b.now }, opts)
}

// request sends GET target from remote ("ip:port"), with optional cookies.
func (b *bundle) request(target, remote string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if remote != "" {
		r.RemoteAddr = remote
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	return w
}

func (b *bundle) signClaims(t *testing.T, c auth.Claims) string {
	t.Helper()
	c.Purpose = auth.PurposePlay
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = b.now.Add(time.Hour)
	}
	tok, err := b.keys.Sign(c)
	require.NoError(t, err)
	return tok
}

// requireRefused asserts the uniform refusal: status, no content, no cache.
func requireRefused(t *testing.T, w *httptest.ResponseRecorder, code int, msg string) {
	t.Helper()
	require.Equal(t, code, w.Code, msg)
	require.Equal(t, http.StatusText(code)+"\n", w.Body.String(), msg)
	require.Equal(t, "no-store", w.Header().Get("Cache-Control"), msg)
	require.Empty(t, w.Header().Get("ETag"), msg)
	require.Empty(t, w.Header().Get("Set-Cookie"), msg)
}

func TestClientIPBinding(t *testing.T) {
	t.Parallel()
	b := setup(t)
	bound := b.signClaims(t, auth.Claims{VideoID: videoID, ClientIP: netip.MustParseAddr("203.0.113.7")})
	bound6 := b.signClaims(t, auth.Claims{VideoID: videoID, ClientIP: netip.MustParseAddr("2001:db8::7")})

	for _, rel := range []string{"master.m3u8", "v0/index.m3u8", "v0/seg_00000.m4s"} {
		require.Equal(t, http.StatusOK, b.request(mediaURL(videoID, rel, bound), "203.0.113.7:4444").Code, rel)
		require.Equal(t, http.StatusOK, b.request(mediaURL(videoID, rel, bound), "[::ffff:203.0.113.7]:4444").Code, rel)
		require.Equal(t, http.StatusOK, b.request(mediaURL(videoID, rel, bound6), "[2001:db8::7]:1").Code, rel)
		for _, remote := range []string{"203.0.113.8:4444", "[2001:db8::8]:1", "garbage", ""} {
			requireRefused(t, b.request(mediaURL(videoID, rel, bound), remote), http.StatusForbidden, rel+" from "+remote)
		}
		requireRefused(t, b.request(mediaURL(videoID, rel, bound6), "203.0.113.7:1"), http.StatusForbidden, rel)
	}
	// The bound token travels into manifests unchanged.
	w := b.request(mediaURL(videoID, "master.m3u8", bound), "203.0.113.7:4444")
	require.Contains(t, w.Body.String(), "?token="+bound)

	// Behind a proxy the lead plugs in a trusted-header function.
	b.withOptions(Options{ClientIPFunc: func(r *http.Request) netip.Addr {
		a, _ := netip.ParseAddr(r.Header.Get("X-Test-Client"))
		return a
	}})
	r := httptest.NewRequest(http.MethodGet, mediaURL(videoID, "master.m3u8", bound), nil)
	r.Header.Set("X-Test-Client", "203.0.113.7")
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, r)
	require.Equal(t, http.StatusOK, rec.Code)
	requireRefused(t, b.request(mediaURL(videoID, "master.m3u8", bound), "203.0.113.7:1"), http.StatusForbidden, "hook ignores RemoteAddr")
}

func TestRemoteAddrIP(t *testing.T) {
	t.Parallel()
	for remote, want := range map[string]string{
		"1.2.3.4:80": "1.2.3.4", "[::ffff:1.2.3.4]:80": "1.2.3.4", "[2001:db8::1]:9": "2001:db8::1",
		"1.2.3.4": "1.2.3.4", "": "invalid IP", "host:80": "invalid IP",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		require.Equal(t, want, RemoteAddrIP(r).String(), remote)
	}
}

func TestPathPrefixTokens(t *testing.T) {
	t.Parallel()
	b := setup(t)
	one := b.signClaims(t, auth.Claims{PathPrefix: "/media/" + videoID + "/"})
	rung := b.signClaims(t, auth.Claims{PathPrefix: "/media/" + videoID + "/v0/"})
	all := b.signClaims(t, auth.Claims{PathPrefix: "/media/"})
	// "/media/abc_123-" is a string prefix of videoID's directory but not a
	// path prefix: the trailing-slash rule is what keeps these apart.
	b.putMedia(t, videoID+"Z")
	b.published[videoID+"Z"] = true

	ok := map[string]string{
		"video prefix, master":  mediaURL(videoID, "master.m3u8", one),
		"video prefix, segment": mediaURL(videoID, "a0/seg_00001.m4s", one),
		"rung prefix":           mediaURL(videoID, "v0/seg_00000.m4s", rung),
		"catalogue prefix":      mediaURL("other", "master.m3u8", all),
	}
	for name, target := range ok {
		require.Equal(t, http.StatusOK, b.get(target).Code, name)
	}
	// A prefix token is carried into child URLs like any other.
	require.Contains(t, b.get(mediaURL(videoID, "master.m3u8", one)).Body.String(), "?token="+one)

	refused := map[string]string{
		"video prefix on other video":  mediaURL("other", "master.m3u8", one),
		"video prefix on longer id":    mediaURL(videoID+"Z", "master.m3u8", one),
		"rung prefix on master":        mediaURL(videoID, "master.m3u8", rung),
		"rung prefix on other rung":    mediaURL(videoID, "a0/seg_00000.m4s", rung),
		"video token on other video":   mediaURL("other", "master.m3u8", b.token),
		"video prefix with traversal":  "/media/" + videoID + "/../other/master.m3u8?token=" + one,
		"video prefix with %2e%2e":     "/media/" + videoID + "/%2e%2e/other/master.m3u8?token=" + one,
		"video prefix with %2f":        "/media/" + videoID + "%2f..%2fother/master.m3u8?token=" + one,
		"expired prefix":               mediaURL(videoID, "master.m3u8", b.signClaims(t, auth.Claims{PathPrefix: "/media/" + videoID + "/", ExpiresAt: b.now})),
		"prefix bound to other client": mediaURL(videoID, "master.m3u8", b.signClaims(t, auth.Claims{PathPrefix: "/media/", ClientIP: netip.MustParseAddr("198.51.100.1")})),
	}
	for name, target := range refused {
		w := b.get(target)
		require.Contains(t, []int{http.StatusForbidden, http.StatusBadRequest}, w.Code, name)
		requireRefused(t, w, w.Code, name)
		require.NotContains(t, w.Body.String(), "EXTM3U", name)
	}
	// The specific cases the brief names are 403, not 400.
	requireRefused(t, b.get(mediaURL("other", "master.m3u8", one)), http.StatusForbidden, "prefix outside")
	requireRefused(t, b.get(mediaURL("other", "master.m3u8", b.token)), http.StatusForbidden, "other video")
}
