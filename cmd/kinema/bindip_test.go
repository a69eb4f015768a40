package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

// TestPlaybackBindIP: with --playback-bind-ip the API's playback token names
// the caller's address, and it plays from there.
func TestPlaybackBindIP(t *testing.T) {
	t.Parallel()
	var dataDir string
	s := setupWith(t, func(c *config.Config) { c.PlaybackBindIP, dataDir = true, c.DataDir })
	v := s.uploadAndWait("bound", testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}))
	require.Equal(t, "ready", v.Status, v.Error)

	keys, err := auth.LoadOrCreateKeys(filepath.Join(dataDir, "keys"))
	require.NoError(t, err)
	claims, err := keys.Verify(tokenOf(v.Playback.HLS), auth.PurposePlay, time.Now())
	require.NoError(t, err)
	require.Equal(t, netip.MustParseAddr("127.0.0.1"), claims.ClientIP)
	code, _ := get(t, v.Playback.HLS)
	require.Equal(t, http.StatusOK, code)
}

// TestTrustedProxies: behind a trusted proxy the viewer's address comes from
// X-Forwarded-For, for binding playback and for checking it; a peer that is
// not trusted cannot claim an address.
func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	s := setupWith(t, func(c *config.Config) { c.PlaybackBindIP, c.TrustedProxies = true, "127.0.0.1" })
	v := s.uploadAndWait("proxied", testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}))
	require.Equal(t, "ready", v.Status, v.Error)

	getVia := func(u, xff string, auth bool) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		if auth {
			req.Header.Set("Authorization", "Bearer "+adminToken)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	code, body := getVia(s.base+"/api/v1/videos/"+v.ID, "6.6.6.6, 198.51.100.7", true)
	require.Equal(t, http.StatusOK, code)
	var got video
	require.NoError(t, json.Unmarshal(body, &got))
	hls := got.Playback.HLS

	code, _ = getVia(hls, "198.51.100.7", false)
	require.Equal(t, http.StatusOK, code, "the viewer the URL was made for")
	code, _ = getVia(hls, "203.0.113.1", false)
	require.Equal(t, http.StatusForbidden, code, "another viewer behind the same proxy")
	code, _ = getVia(hls, "", false)
	require.Equal(t, http.StatusForbidden, code, "the proxy itself")
}
