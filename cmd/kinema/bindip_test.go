package main

import (
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
