package delivery

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/stretchr/testify/require"
)

func (b *bundle) cookie(t *testing.T, g CookieGrant, ttl time.Duration) *http.Cookie {
	t.Helper()
	c, err := PlaybackCookie("https://kinema.test", b.keys, g, ttl, b.now)
	require.NoError(t, err)
	return c
}

func TestPlaybackCookieAttributes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.cookie(t, CookieGrant{VideoID: videoID}, time.Hour+300*time.Millisecond)
	require.Equal(t, CookieName, c.Name)
	require.Equal(t, "/media/"+videoID+"/", c.Path)
	require.True(t, c.Secure)
	require.True(t, c.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, c.SameSite)
	require.Empty(t, c.Domain, "host-only")
	require.Equal(t, 3600, c.MaxAge)
	require.Equal(t, b.now.Add(time.Hour).UTC(), c.Expires)
	require.NoError(t, c.Valid())
	claims, err := b.keys.Verify(c.Value, auth.PurposePlay, b.now)
	require.NoError(t, err)
	require.Equal(t, videoID, claims.VideoID)

	cross, err := PlaybackCookie("https://kinema.test/sub/", b.keys, CookieGrant{PathPrefix: "/media/", CrossSite: true}, time.Minute, b.now)
	require.NoError(t, err)
	require.Equal(t, http.SameSiteNoneMode, cross.SameSite)
	require.Equal(t, "/sub/media/", cross.Path, "browser path includes the mount point")

	dev, err := PlaybackCookie("http://localhost:8080", b.keys, CookieGrant{VideoID: videoID}, time.Minute, b.now)
	require.NoError(t, err)
	require.False(t, dev.Secure)

	for name, g := range map[string]CookieGrant{
		"cross-site over http": {VideoID: videoID, CrossSite: true},
		"nothing":              {},
		"both":                 {VideoID: videoID, PathPrefix: "/media/"},
		"prefix outside media": {PathPrefix: "/api/"},
		"bad prefix":           {PathPrefix: "/media/../"},
		"bad id":               {VideoID: "a/b"},
	} {
		_, err := PlaybackCookie("http://kinema.test", b.keys, g, time.Minute, b.now)
		require.Error(t, err, name)
	}
	_, err = PlaybackCookie("kinema.test", b.keys, CookieGrant{VideoID: videoID}, time.Minute, b.now)
	require.Error(t, err)
	_, err = PlaybackCookie("https://kinema.test", b.keys, CookieGrant{VideoID: videoID}, 0, b.now)
	require.Error(t, err)
}

// TestCookieCrawl plays the HLS tree with only a cookie: manifests come back
// exactly as stored (no token leaks into them) and every child is served
// privately.
func TestCookieCrawl(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.cookie(t, CookieGrant{VideoID: videoID}, time.Hour)
	base, err := url.Parse("http://kinema.test/media/" + videoID + "/master.m3u8")
	require.NoError(t, err)
	seen := map[string]bool{}
	queue := []*url.URL{base}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if seen[u.Path] {
			continue
		}
		seen[u.Path] = true
		w := b.request(u.RequestURI(), "", c)
		require.Equal(t, http.StatusOK, w.Code, u.String())
		if strings.HasSuffix(u.Path, ".m3u8") {
			stored, err := b.store.Open(t.Context(), strings.TrimPrefix(u.Path, "/"))
			require.NoError(t, err)
			raw, err := io.ReadAll(stored)
			require.NoError(t, err)
			require.NoError(t, stored.Close())
			require.Equal(t, string(raw), w.Body.String(), "cookie manifests are served as stored")
			require.Equal(t, "private, max-age=60", w.Header().Get("Cache-Control"))
			for _, child := range hlsChildren(w.Body.String()) {
				ref, err := u.Parse(child)
				require.NoError(t, err)
				queue = append(queue, ref)
			}
		} else {
			require.Equal(t, "private, max-age=31536000, immutable", w.Header().Get("Cache-Control"),
				"no shared cache may keep bytes whose URL carries no credential")
		}
	}
	require.Len(t, seen, 9)

	// DASH and VTT are served as stored too.
	mpd := b.request("/media/"+videoID+"/manifest.mpd", "", c)
	require.Equal(t, http.StatusOK, mpd.Code)
	require.NotContains(t, mpd.Body.String(), "token=")
	vtt := b.request("/media/"+videoID+"/storyboard.vtt", "", c)
	require.Equal(t, http.StatusOK, vtt.Code)
	require.Contains(t, vtt.Body.String(), "storyboard.jpg#xywh=")
}

func TestCookieRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mine := b.cookie(t, CookieGrant{VideoID: videoID}, time.Hour)
	expired := b.cookie(t, CookieGrant{VideoID: videoID}, time.Second)
	theirs := b.cookie(t, CookieGrant{VideoID: "other"}, time.Hour)
	rung := b.cookie(t, CookieGrant{PathPrefix: "/media/" + videoID + "/v0/"}, time.Hour)
	boundElsewhere := b.cookie(t, CookieGrant{VideoID: videoID, ClientIP: netip.MustParseAddr("198.51.100.9")}, time.Hour)
	tampered := *mine
	tampered.Value = "x" + mine.Value[1:]
	uploadTok, err := b.keys.Sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposeUpload, ExpiresAt: b.now.Add(time.Hour)})
	require.NoError(t, err)
	upload := &http.Cookie{Name: CookieName, Value: uploadTok}
	wrongName := &http.Cookie{Name: "token", Value: mine.Value}

	master := "/media/" + videoID + "/master.m3u8"
	later := b.now.Add(2 * time.Second)
	cases := []struct {
		name    string
		target  string
		cookies []*http.Cookie
		at      time.Time
	}{
		{"no cookie", master, nil, b.now},
		{"expired cookie", master, []*http.Cookie{expired}, later},
		{"cookie for another video", master, []*http.Cookie{theirs}, b.now},
		{"own cookie on another video", "/media/other/master.m3u8", []*http.Cookie{mine}, b.now},
		{"prefix cookie outside prefix", master, []*http.Cookie{rung}, b.now},
		{"prefix cookie on other rung", "/media/" + videoID + "/a0/seg_00000.m4s", []*http.Cookie{rung}, b.now},
		{"cookie bound to another client", master, []*http.Cookie{boundElsewhere}, b.now},
		{"tampered cookie", master, []*http.Cookie{&tampered}, b.now},
		{"upload token as cookie", master, []*http.Cookie{upload}, b.now},
		{"wrong cookie name", master, []*http.Cookie{wrongName}, b.now},
		// A bad query token is final: no fallback to a good cookie.
		{"bad query token beats cookie", master + "?token=garbage", []*http.Cookie{mine}, b.now},
		{"empty query token beats cookie", master + "?token=", []*http.Cookie{mine}, b.now},
		{"too many cookies", master, repeat(mine, maxCookies+1), b.now},
	}
	for _, tc := range cases {
		b.now = tc.at
		requireRefused(t, b.request(tc.target, "", tc.cookies...), http.StatusForbidden, tc.name)
		b.now = time.Unix(1_700_000_000, 0)
	}

	// Any one matching cookie is enough: a narrow one that does not cover the
	// path sits next to one that does, as browsers send them.
	require.Equal(t, http.StatusOK, b.request(master, "", rung, theirs, mine).Code)
	require.Equal(t, http.StatusOK, b.request("/media/"+videoID+"/v0/seg_00000.m4s", "", rung).Code)
	// A good query token wins even if a cookie is bad.
	require.Equal(t, http.StatusOK, b.request(mediaURL(videoID, "master.m3u8", b.token), "", &tampered).Code)
}

func repeat(c *http.Cookie, n int) []*http.Cookie {
	out := make([]*http.Cookie, n)
	for i := range out {
		out[i] = c
	}
	return out
}

func TestCookieCORS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.withOptions(Options{CookieOrigins: []string{"https://player.example/"}})
	c := b.cookie(t, CookieGrant{VideoID: videoID}, time.Hour)
	send := func(method, origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/media/"+videoID+"/master.m3u8", nil)
		r.Header.Set("Origin", origin)
		r.AddCookie(c)
		w := httptest.NewRecorder()
		b.h.ServeHTTP(w, r)
		return w
	}
	for _, m := range []string{http.MethodGet, http.MethodOptions} {
		w := send(m, "https://player.example")
		require.Equal(t, "https://player.example", w.Header().Get("Access-Control-Allow-Origin"), m)
		require.Equal(t, "true", w.Header().Get("Access-Control-Allow-Credentials"), m)
		require.Contains(t, w.Header().Values("Vary"), "Origin", m)

		w = send(m, "https://evil.example")
		require.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"), m)
		require.Empty(t, w.Header().Get("Access-Control-Allow-Credentials"), "browsers then refuse to show the body to evil.example")
	}
}
