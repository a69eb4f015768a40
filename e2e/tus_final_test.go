//go:build e2e

package e2e

import (
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestTusParallelLostFinalAnswer: tus-js-client with parallelUploads sends
// the final (concatenation) request, the server starts the video, and the
// answer is lost. The client keeps only the partial uploads' URLs; started
// again, it finds them finished (HEAD) and sends the same final request,
// which is answered with the same upload instead of 409.
func TestTusParallelLostFinalAnswer(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := t.TempDir()
	s := start(t, bin, data)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 4})
	size := fileSize(t, clip)
	id, tusURL := newTusVideo(t, s.base)
	opts := map[string]any{"endpoint": tusURL, "file": clip, "parallel": 2, "urlStorage": filepath.Join(t.TempDir(), "tus-urls.json")}

	lossy := map[string]any{"loseFinalResponse": true}
	for k, v := range opts {
		lossy[k] = v
	}
	first := runTusClient(t, lossy)
	lost := first.waitFor(t, "lost", 2*time.Minute)
	require.Equal(t, http.StatusCreated, lost.Status, "the server handled the final request")
	select {
	case <-first.done:
	case <-time.After(time.Minute):
		t.Fatal("tus-js-client did not give up after the lost answer")
	}
	evs := first.events()
	require.Equal(t, "error", evs[len(evs)-1].Event)

	again := runTusClient(t, opts)
	done := again.waitFor(t, "success", 2*time.Minute)
	heads := again.responses(http.MethodHead)
	require.Len(t, heads, 2, "both partial uploads were resumed: %+v", again.events())
	for _, h := range heads {
		require.Equal(t, http.StatusOK, h.Status)
	}
	var posts []int
	for _, r := range again.responses(http.MethodPost) {
		posts = append(posts, r.Status)
	}
	require.Equal(t, []int{http.StatusCreated}, posts, "only the final request, answered as created")
	require.Empty(t, again.responses(http.MethodPatch))

	req, _ := http.NewRequest(http.MethodHead, done.URL, nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, strconv.FormatInt(size, 10), resp.Header.Get("Upload-Offset"))

	waitStatus(t, s.base, id, "ready", 3*time.Minute)
	requireStoredSource(t, data, id, clip)
	waitTusFiles(t, data, 3) // the final upload's record and its two partials'
}
