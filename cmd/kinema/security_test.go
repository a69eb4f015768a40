package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/testutil"
)

// TestPlaybackTokens: media needs a valid play token for that very video.
func TestPlaybackTokens(t *testing.T) {
	t.Parallel()
	s := setup(t)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	a := s.uploadAndWait("a", clip)
	b := s.uploadAndWait("b", clip)
	require.Equal(t, "ready", a.Status, a.Error)
	require.Equal(t, "ready", b.Status, b.Error)

	keys, err := auth.LoadOrCreateKeys(s.main.Config.KeysDir())
	require.NoError(t, err)
	sign := func(id, purpose string, exp time.Time) string {
		tok, err := keys.Sign(auth.Claims{VideoID: id, Purpose: purpose, ExpiresAt: exp})
		require.NoError(t, err)
		return tok
	}
	// Edges can fetch the verification keys.
	code, jwks := get(t, s.base+"/.well-known/kinema-keys.json")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(jwks), `"kid":"`+keys.KeyID()+`"`)
	require.NotContains(t, string(jwks), `"d":`, "public keys only")

	master := s.base + "/media/" + a.ID + "/master.m3u8"
	segment := s.base + "/media/" + a.ID + "/v0/seg_00000.m4s"
	good := tokenOf(a.Playback.HLS)
	tampered := good[:len(good)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(good, "AA")]

	code, _ = get(t, master+"?token="+good)
	require.Equal(t, http.StatusOK, code)
	code, _ = get(t, segment+"?token="+good)
	require.Equal(t, http.StatusOK, code)

	for name, url := range map[string]string{
		"missing":       master,
		"empty":         master + "?token=",
		"tampered":      master + "?token=" + tampered,
		"expired":       master + "?token=" + sign(a.ID, auth.PurposePlay, time.Now().Add(-time.Minute)),
		"other video":   master + "?token=" + tokenOf(b.Playback.HLS),
		"upload token":  master + "?token=" + sign(a.ID, auth.PurposeUpload, time.Now().Add(time.Hour)),
		"segment bare":  segment,
		"segment other": segment + "?token=" + tokenOf(b.Playback.HLS),
	} {
		code, body := get(t, url)
		require.Equal(t, http.StatusForbidden, code, name)
		require.NotContains(t, string(body), "#EXTM3U", name)
	}

	// Traversal out of the video's directory never returns file contents.
	// (A plain "/../" is cleaned and redirected by the router to a path
	// outside /media/, which serves the web UI, hence the content check.)
	db, err := os.ReadFile(s.main.Config.SQLitePath())
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(db), "SQLite format 3"))
	for _, p := range []string{"/../../kinema.db", "/..%2f..%2fkinema.db", "/%2e%2e/%2e%2e/kinema.db",
		"/v0/..%5c..%5ckinema.db", "/..%2f..%2fkeys", "/%2e%2e%2f%2e%2e%2fobjects%2fraw"} {
		code, body := get(t, s.base+"/media/"+a.ID+p+"?token="+good)
		require.NotContains(t, string(body), "SQLite format 3", p)
		require.NotContains(t, string(body), "PRIVATE KEY", p)
		if strings.Contains(p, "%") {
			require.NotEqual(t, http.StatusOK, code, p)
		}
	}
}

// TestUploadURLs: upload URLs are signed, single-use and tied to one video;
// tus uploads resume and trigger processing too.
func TestUploadURLs(t *testing.T) {
	t.Parallel()
	s := setup(t)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})

	a, b := s.create("a"), s.create("b")
	forged := a
	forged.Upload = &struct {
		URL    string `json:"url"`
		Method string `json:"method"`
		TusURL string `json:"tus_url"`
	}{URL: strings.Replace(a.Upload.URL, a.ID, b.ID, 1)}
	require.Equal(t, http.StatusForbidden, s.put(forged, clip), "a's token does not upload b")
	require.Equal(t, http.StatusOK, s.put(a, clip))
	require.Equal(t, http.StatusConflict, s.put(a, clip), "single use")
	require.Equal(t, "ready", s.wait(a.ID).Status)

	// tus: the CLI's client against the real tusd endpoint.
	require.NoError(t, tusUpload(t.Context(), http.DefaultClient, b.Upload.TusURL, clip, newBar(discard{}, "t")))
	require.Equal(t, "ready", s.wait(b.ID).Status)
	err := tusUpload(t.Context(), http.DefaultClient, b.Upload.TusURL, clip, newBar(discard{}, "t"))
	require.ErrorContains(t, err, "409", "a finished video takes no second tus upload")
	c := s.create("c")
	err = tusUpload(t.Context(), http.DefaultClient, strings.Replace(c.Upload.TusURL, "token=", "token=x", 1), clip, newBar(discard{}, "t"))
	require.ErrorContains(t, err, "403")
}

// TestAPIAuth: wrong credentials are refused (never treated as anonymous);
// no credentials see only public videos and cannot write; lists filter by status.
func TestAPIAuth(t *testing.T) {
	t.Parallel()
	s := setup(t)
	for _, h := range []string{"Bearer ", "Bearer wrong-key", "Basic " + adminToken} {
		req, _ := http.NewRequest(http.MethodGet, s.base+"/api/v1/videos", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, h)
	}
	v := s.create("waiting")
	var list struct{ Videos []video }
	resp, err := http.Get(s.base + "/api/v1/videos")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	require.Empty(t, list.Videos, "a private video is not listed for anonymous callers")
	resp, err = http.Post(s.base+"/api/v1/videos", "application/json", strings.NewReader(`{"title":"x"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	require.Equal(t, http.StatusOK, s.api(http.MethodGet, "/api/v1/videos?status=ready", nil, &list))
	require.Empty(t, list.Videos)
	require.Equal(t, http.StatusOK, s.api(http.MethodGet, "/api/v1/videos?status=waiting_upload", nil, &list))
	require.Len(t, list.Videos, 1)
	require.Equal(t, http.StatusBadRequest, s.api(http.MethodGet, "/api/v1/videos?status=bogus", nil, nil))
	require.Equal(t, http.StatusNoContent, s.api(http.MethodDelete, "/api/v1/videos/"+v.ID, nil, nil))
	require.Equal(t, http.StatusNotFound, s.api(http.MethodGet, "/api/v1/videos/"+v.ID, nil, nil))
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
