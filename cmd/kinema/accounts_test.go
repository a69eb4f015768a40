package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

// browser is a signed-in browser session against the real server.
type browser struct {
	s      *server
	id     string
	cookie *http.Cookie
	csrf   string
}

// send makes a request with the session cookie and, on writes, the CSRF
// token; out, when set, receives the decoded JSON answer.
func (b *browser) send(method, path string, body any, out any) (*http.Response, []byte) {
	t := b.s.t
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	target := path
	if !strings.HasPrefix(target, "http") {
		target = b.s.base + path
	}
	req, err := http.NewRequest(method, target, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
		if method != http.MethodGet && method != http.MethodHead {
			req.Header.Set("X-CSRF-Token", b.csrf)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil && resp.StatusCode < 300 {
		require.NoError(t, json.Unmarshal(data, out), string(data))
	}
	return resp, data
}

// signIn posts to an auth route (login or signup) and keeps the session.
func (s *server) signIn(path, email, password string, want int) *browser {
	s.t.Helper()
	anon := &browser{s: s}
	var sess struct {
		User      struct{ ID, Role string }
		CSRFToken string `json:"csrf_token"`
	}
	resp, body := anon.send(http.MethodPost, path, map[string]string{"email": email, "password": password}, &sess)
	require.Equal(s.t, want, resp.StatusCode, string(body))
	for _, c := range resp.Cookies() {
		if c.Name == api.SessionCookie { // plain http: no __Host- prefix
			return &browser{s: s, id: sess.User.ID, cookie: c, csrf: sess.CSRFToken}
		}
	}
	s.t.Fatalf("no session cookie from %s", path)
	return nil
}

// TestAccountsEndToEnd: on the real server, an uploader's video stays
// hidden from a viewer until it is shared with the viewer's group; then
// the viewer's playback URLs play, and only for that video.
func TestAccountsEndToEnd(t *testing.T) {
	t.Parallel()
	s := setup(t)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	const pw = "a long enough password"

	// The first sign-up is the admin; sign-up is closed after that.
	admin := s.signIn("/api/v1/auth/signup", "admin@example.com", pw, http.StatusCreated)
	anon := &browser{s: s}
	resp, _ := anon.send(http.MethodPost, "/api/v1/auth/signup", map[string]string{"email": "eve@example.com", "password": pw}, nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	for email, u := range map[string]map[string]any{
		"up@example.com":       {"role": "uploader"},
		"viewer@example.com":   {"role": "viewer", "groups": []string{"family"}},
		"stranger@example.com": {"role": "viewer", "groups": []string{"friends"}},
	} {
		u["email"], u["password"] = email, pw
		resp, body := admin.send(http.MethodPost, "/api/v1/users", u, nil)
		require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	}
	uploader := s.signIn("/api/v1/auth/login", "up@example.com", pw, http.StatusOK)
	viewer := s.signIn("/api/v1/auth/login", "viewer@example.com", pw, http.StatusOK)
	stranger := s.signIn("/api/v1/auth/login", "stranger@example.com", pw, http.StatusOK)

	// Viewers do not upload.
	resp, _ = viewer.send(http.MethodPost, "/api/v1/videos", map[string]string{"title": "nope"}, nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	// The uploader uploads; the video is private.
	var v video
	resp, body := uploader.send(http.MethodPost, "/api/v1/videos", map[string]string{"title": "Family holiday"}, &v)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	require.Contains(t, string(body), `"visibility":"private"`)
	require.Equal(t, http.StatusOK, s.put(v, clip))
	v = s.wait(v.ID)
	require.Equal(t, "ready", v.Status, v.Error)
	other := s.uploadAndWait("someone else's", clip) // owned by the admin token
	require.Equal(t, "ready", other.Status, other.Error)

	hidden := func(who *browser) {
		t.Helper()
		for _, c := range []struct{ method, path string }{
			{http.MethodGet, "/api/v1/videos/" + v.ID},
			{http.MethodPost, "/api/v1/videos/" + v.ID + "/playback-cookie"},
		} {
			resp, body := who.send(c.method, c.path, nil, nil)
			require.Equal(t, http.StatusNotFound, resp.StatusCode, "%s %s", c.method, c.path)
			require.NotContains(t, string(body), "Family holiday")
			require.NotContains(t, string(body), "token=")
			require.Empty(t, resp.Cookies())
		}
		_, body := who.send(http.MethodGet, "/api/v1/videos", nil, nil)
		require.NotContains(t, string(body), v.ID)
		require.NotContains(t, string(body), "Family holiday")
	}
	hidden(viewer)
	hidden(stranger)
	hidden(anon)

	// Shared with the viewer's group: the viewer sees it, the stranger not.
	resp, body = uploader.send(http.MethodPatch, "/api/v1/videos/"+v.ID,
		map[string]any{"visibility": "restricted", "allowed_groups": []string{"family"}}, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	hidden(stranger)
	hidden(anon)
	var seen video
	resp, body = viewer.send(http.MethodGet, "/api/v1/videos/"+v.ID, nil, &seen)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.NotContains(t, string(body), "family", "the sharing list is the owner's business")
	require.Nil(t, seen.Upload)
	require.NotNil(t, seen.Playback)
	var list struct{ Videos []video }
	viewer.send(http.MethodGet, "/api/v1/videos", nil, &list)
	require.Len(t, list.Videos, 1)
	require.Equal(t, v.ID, list.Videos[0].ID)
	// Watching is not changing.
	resp, _ = viewer.send(http.MethodPatch, "/api/v1/videos/"+v.ID, map[string]any{"title": "mine"}, nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = viewer.send(http.MethodDelete, "/api/v1/videos/"+v.ID, nil, nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	// The viewer's signed URLs play: the master playlist and a segment.
	code, master := get(t, seen.Playback.HLS)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(master), "#EXTM3U")
	code, _ = get(t, s.base+"/media/"+v.ID+"/v0/seg_00000.m4s?token="+tokenOf(seen.Playback.HLS))
	require.Equal(t, http.StatusOK, code)
	code, _ = get(t, s.base+"/media/"+other.ID+"/master.m3u8?token="+tokenOf(seen.Playback.HLS))
	require.Equal(t, http.StatusForbidden, code, "the token is for this video only")

	// So does the playback cookie, for this video's directory only.
	var pb struct{ HLS, DASH string }
	resp, body = viewer.send(http.MethodPost, "/api/v1/videos/"+v.ID+"/playback-cookie", nil, &pb)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, s.base+"/media/"+v.ID+"/master.m3u8", pb.HLS)
	var play *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "kinema_play" {
			play = c
		}
	}
	require.NotNil(t, play)
	require.Equal(t, "/media/"+v.ID+"/", play.Path)
	require.True(t, play.HttpOnly)
	withCookie := func(url string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		require.NoError(t, err)
		req.AddCookie(play)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, data
	}
	code, master = withCookie(pb.HLS)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(master), "#EXTM3U")
	require.NotContains(t, string(master), "token=", "with a cookie, manifests are served as stored")
	code, _ = withCookie(s.base + "/media/" + v.ID + "/v0/seg_00000.m4s")
	require.Equal(t, http.StatusOK, code)
	code, _ = get(t, pb.HLS)
	require.Equal(t, http.StatusForbidden, code, "no cookie, no play")
	code, body = withCookie(s.base + "/media/" + other.ID + "/master.m3u8")
	require.Equal(t, http.StatusForbidden, code)
	require.NotContains(t, string(body), "#EXTM3U")

	// The uploader takes it back: the viewer is shut out of the API again.
	resp, _ = uploader.send(http.MethodPatch, "/api/v1/videos/"+v.ID, map[string]any{"visibility": "private"}, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	hidden(viewer)

	// Disabling the viewer ends their session.
	resp, body = admin.send(http.MethodPatch, "/api/v1/users/"+viewer.id, map[string]any{"disabled": true}, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, _ = viewer.send(http.MethodGet, "/api/v1/auth/session", nil, nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// The database never holds a session id or a password in the clear.
	for _, f := range []string{"", "-wal"} {
		db, err := os.ReadFile(s.main.Config.SQLitePath() + f)
		if f != "" && os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		require.NotContains(t, string(db), uploader.cookie.Value)
		require.NotContains(t, string(db), pw)
	}
}

// TestSignedURLScopesOnRealServer repeats, through the real server, the
// token checks the delivery tests make on the handler: tokens limited to
// a path prefix, tokens bound to a client address and tokens of a key that
// was removed before the start.
func TestSignedURLScopesOnRealServer(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	keysDir := filepath.Join(data, "keys")
	removed, err := auth.LoadOrCreateKeys(keysDir)
	require.NoError(t, err)
	_, err = auth.RotateKey(keysDir)
	require.NoError(t, err)
	require.NoError(t, auth.RemoveKey(keysDir, removed.KeyID()))
	s := setupWith(t, func(c *config.Config) { c.DataDir = data })
	keys, err := auth.LoadOrCreateKeys(keysDir) // what the server loaded
	require.NoError(t, err)
	require.NotEqual(t, removed.KeyID(), keys.KeyID())

	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	a := s.uploadAndWait("a", clip)
	b := s.uploadAndWait("b", clip)
	require.Equal(t, "ready", a.Status, a.Error)
	require.Equal(t, "ready", b.Status, b.Error)

	exp := time.Now().Add(time.Hour)
	sign := func(k *auth.Keys, c auth.Claims) string {
		t.Helper()
		c.Purpose, c.ExpiresAt = auth.PurposePlay, exp
		tok, err := k.Sign(c)
		require.NoError(t, err)
		return tok
	}
	media := func(id, rel, tok string) string { return s.base + "/media/" + id + "/" + rel + "?token=" + tok }
	aDir := sign(keys, auth.Claims{PathPrefix: "/media/" + a.ID + "/"})
	aRung := sign(keys, auth.Claims{PathPrefix: "/media/" + a.ID + "/v0/"})
	loopback := sign(keys, auth.Claims{VideoID: a.ID, ClientIP: netip.MustParseAddr("127.0.0.1")})

	for name, url := range map[string]string{
		"video prefix, master":      media(a.ID, "master.m3u8", aDir),
		"video prefix, segment":     media(a.ID, "v0/seg_00000.m4s", aDir),
		"rung prefix, segment":      media(a.ID, "v0/seg_00000.m4s", aRung),
		"catalogue prefix":          media(b.ID, "master.m3u8", sign(keys, auth.Claims{PathPrefix: "/media/"})),
		"bound to this client":      media(a.ID, "master.m3u8", loopback),
		"current key, plain claims": media(a.ID, "master.m3u8", sign(keys, auth.Claims{VideoID: a.ID})),
	} {
		code, _ := get(t, url)
		require.Equal(t, http.StatusOK, code, name)
	}
	for name, url := range map[string]string{
		"video prefix on another video": media(b.ID, "master.m3u8", aDir),
		"rung prefix on the master":     media(a.ID, "master.m3u8", aRung),
		"live prefix on media":          media(a.ID, "master.m3u8", sign(keys, auth.Claims{PathPrefix: "/live/" + a.ID + "/"})),
		"prefix climbing out":           s.base + "/media/" + a.ID + "/%2e%2e/" + b.ID + "/master.m3u8?token=" + aDir,
		"bound to another client":       media(a.ID, "master.m3u8", sign(keys, auth.Claims{VideoID: a.ID, ClientIP: netip.MustParseAddr("203.0.113.7")})),
		"bound prefix, another client":  media(a.ID, "master.m3u8", sign(keys, auth.Claims{PathPrefix: "/media/", ClientIP: netip.MustParseAddr("::1")})),
		"removed key":                   media(a.ID, "master.m3u8", sign(removed, auth.Claims{VideoID: a.ID})),
		"removed key, segment":          media(a.ID, "v0/seg_00000.m4s", sign(removed, auth.Claims{VideoID: a.ID})),
	} {
		code, body := get(t, url)
		require.Contains(t, []int{http.StatusForbidden, http.StatusBadRequest, http.StatusNotFound}, code, name)
		require.NotContains(t, string(body), "#EXTM3U", name)
		require.Less(t, len(body), 40, name)
	}
	// The ones that are plainly a token problem say so.
	for _, url := range []string{
		media(b.ID, "master.m3u8", aDir),
		media(a.ID, "master.m3u8", sign(removed, auth.Claims{VideoID: a.ID})),
		media(a.ID, "master.m3u8", sign(keys, auth.Claims{VideoID: a.ID, ClientIP: netip.MustParseAddr("203.0.113.7")})),
	} {
		code, _ := get(t, url)
		require.Equal(t, http.StatusForbidden, code, url)
	}
}
