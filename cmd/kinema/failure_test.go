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

// TestBadInput: hostile or broken uploads end failed with a reason a person
// understands, leave nothing published, and the server keeps working.
func TestBadInput(t *testing.T) {
	t.Parallel()
	s := setup(t)
	secret := writeTemp(t, "secret.txt", []byte("top secret\n"))
	cases := []struct {
		name   string
		file   func(t testing.TB) string
		reason string // a word the reason must contain
	}{
		{"random bytes", testutil.MakeCorrupt, "media"},
		{"truncated mp4", testutil.MakeTruncated, "incomplete"},
		{"empty-ish text", func(t testing.TB) string { return writeTemp(t, "notes.mp4", []byte("hello world\n")) }, "media"},
		{"hls playlist pointing at a local file", func(t testing.TB) string {
			return writeTemp(t, "evil.m3u8", []byte("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile://"+secret+"\n#EXTINF:1,\nhttp://127.0.0.1:1/x.ts\n#EXT-X-ENDLIST\n"))
		}, ""},
		{"ffconcat list", func(t testing.TB) string {
			return writeTemp(t, "evil.txt", []byte("ffconcat version 1.0\nfile '"+secret+"'\n"))
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := s.uploadAndWait(tc.name, tc.file(t))
			require.Equal(t, "failed", v.Status)
			require.NotEmpty(t, v.Error)
			require.Contains(t, v.Error, tc.reason)
			require.NotContains(t, v.Error, "top secret")
			require.Nil(t, v.Playback)
			_, err := os.Stat(filepath.Join(s.main.Config.StoreDir(), "media", v.ID))
			require.True(t, os.IsNotExist(err), "nothing published for a failed video")
		})
	}
	// The server still serves and still processes good uploads.
	code, _ := get(t, s.base+"/healthz")
	require.Equal(t, http.StatusOK, code)
	v := s.uploadAndWait("good after bad", testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}))
	require.Equal(t, "ready", v.Status, v.Error)
}

// TestRetry: a file that is not media fails for good (retryable false, a
// retry is refused); a failure that may pass later (over the processing
// quota) is retried: the video runs again from its stored source (and fails
// again here, with the same reason). Ready videos are not retried.
func TestRetry(t *testing.T) {
	t.Parallel()
	// 3 s of processing: one 2 s clip passes, the next is over.
	s := setupWith(t, func(c *config.Config) { c.Limits.Quota.ProcessingMinutes = 0.05 })
	bad := s.uploadAndWait("broken", testutil.MakeCorrupt(t))
	require.Equal(t, "failed", bad.Status)
	require.NotNil(t, bad.Retryable)
	require.False(t, *bad.Retryable, "the file is at fault: %s", bad.Error)
	require.Equal(t, http.StatusBadRequest, s.api(http.MethodPost, "/api/v1/videos/"+bad.ID+"/retry", nil, nil))

	ready := s.uploadAndWait("fine", testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}))
	require.Equal(t, "ready", ready.Status, ready.Error)
	require.Nil(t, ready.Retryable)
	require.Equal(t, http.StatusConflict, s.api(http.MethodPost, "/api/v1/videos/"+ready.ID+"/retry", nil, nil),
		"only failed videos can be retried")

	v := s.uploadAndWait("over quota", testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}))
	require.Equal(t, "failed", v.Status)
	require.Contains(t, v.Error, "quota")
	require.NotNil(t, v.Retryable)
	require.True(t, *v.Retryable, "a quota passes later")
	var again video
	require.Equal(t, http.StatusAccepted, s.api(http.MethodPost, "/api/v1/videos/"+v.ID+"/retry", nil, &again))
	require.Contains(t, []string{"queued", "processing", "failed"}, again.Status)
	after := s.wait(v.ID)
	require.Equal(t, "failed", after.Status)
	require.Equal(t, v.Error, after.Error)
}
