package main

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

// TestRawStore: with --raw-store, uploads live only in the raw store and
// processed media only in the media store; deleting a video empties both.
func TestRawStore(t *testing.T) {
	t.Parallel()
	rawDir := filepath.Join(t.TempDir(), "raw-store")
	var mediaDir string
	s := setupWith(t, func(c *config.Config) {
		c.RawStore = rawDir
		mediaDir = c.StoreDir()
	})
	v := s.uploadAndWait("raw apart", testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}))
	require.Equal(t, "ready", v.Status, v.Error)

	require.DirExists(t, filepath.Join(rawDir, "raw", v.ID))
	require.NoDirExists(t, filepath.Join(rawDir, "media"))
	require.FileExists(t, filepath.Join(mediaDir, "media", v.ID, "master.m3u8"))
	require.NoDirExists(t, filepath.Join(mediaDir, "raw"), "no upload in the media store")

	require.Equal(t, http.StatusNoContent, s.api(http.MethodDelete, "/api/v1/videos/"+v.ID, nil, nil))
	entries, _ := os.ReadDir(filepath.Join(rawDir, "raw", v.ID))
	require.Empty(t, entries, "the source is deleted with the video")
	require.NoFileExists(t, filepath.Join(mediaDir, "media", v.ID, "master.m3u8"))
}
