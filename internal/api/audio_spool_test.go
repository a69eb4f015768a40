package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/media"
)

// TestAddAudioSpoolsIntoSpoolDir: an added audio track's body is kept in the
// server's spool directory (the data directory's scratch space, not the
// system's temporary directory) while it is checked, and removed after.
func TestAddAudioSpoolsIntoSpoolDir(t *testing.T) {
	t.Parallel()
	spool := t.TempDir()
	var seen string
	var held []byte
	b := setupWith(t, func(s *api.Server) {
		s.SpoolDir = spool
		s.AddAudioFunc = func(_ context.Context, videoID, language, name, file string) (media.AudioUpload, error) {
			seen = file
			var err error
			held, err = os.ReadFile(file)
			return media.AudioUpload{ID: "au1", VideoID: videoID, Language: language, Name: name, Status: media.AudioUploadProcessing}, err
		}
	})
	v := b.create(t, "dub")
	b.publish(t, v.ID)
	resp, body := b.do(t, call{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/audio?language=de", key: userKey,
		body: "not really audio", contentType: "audio/mp4"})
	require.Less(t, resp.StatusCode, 300, string(body))
	require.Equal(t, spool, filepath.Dir(seen))
	require.Equal(t, "not really audio", string(held))
	left, err := os.ReadDir(spool)
	require.NoError(t, err)
	require.Empty(t, left, "the spooled body is removed")
}
