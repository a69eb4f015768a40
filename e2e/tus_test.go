//go:build e2e

package e2e

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// These tests drive kinema's tus endpoint with the real tus-js-client
// (ui/scripts/tus-upload.mjs in Node), the client the web UI and Uppy use.

// tusEvent is one line printed by tus-upload.mjs.
type tusEvent struct {
	Event   string  `json:"event"`
	Method  string  `json:"method"`
	Status  int     `json:"status"`
	Offset  *string `json:"offset"`
	At      int64   `json:"at"`
	URL     string  `json:"url"`
	Message string  `json:"message"`
}

type tusClient struct {
	cmd  *exec.Cmd
	done chan struct{}
	mu   sync.Mutex
	evs  []tusEvent
	seen chan tusEvent
}

// runTusClient starts tus-upload.mjs with opts (see the script for them).
func runTusClient(t *testing.T, opts map[string]any) *tusClient {
	t.Helper()
	script, err := filepath.Abs("../ui/scripts/tus-upload.mjs")
	require.NoError(t, err)
	_, err = os.Stat("../ui/node_modules/tus-js-client/package.json")
	require.NoError(t, err, "tus-js-client is missing: run `npm ci` in ui/ (make ui does)")
	arg, _ := json.Marshal(opts)
	cmd := exec.Command("node", script, string(arg))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	c := &tusClient{cmd: cmd, done: make(chan struct{}), seen: make(chan tusEvent, 1000)}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var ev tusEvent
			if json.Unmarshal(sc.Bytes(), &ev) != nil {
				continue
			}
			if testing.Verbose() {
				t.Logf("tus-js-client: %s", sc.Text())
			}
			c.mu.Lock()
			c.evs = append(c.evs, ev)
			c.mu.Unlock()
			c.seen <- ev
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.done
	})
	return c
}

// waitFor returns the first event named name, failing after timeout.
func (c *tusClient) waitFor(t *testing.T, name string, timeout time.Duration) tusEvent {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev := <-c.seen:
			if ev.Event == name {
				return ev
			}
			require.NotEqual(t, "error", ev.Event, "tus-js-client failed: %s", ev.Message)
		case <-c.done:
			t.Fatalf("tus-js-client exited without %q; events: %+v", name, c.events())
		case <-deadline:
			t.Fatalf("no %q from tus-js-client within %s; events: %+v", name, timeout, c.events())
		}
	}
}

func (c *tusClient) events() []tusEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]tusEvent(nil), c.evs...)
}

// responses returns the client's responses to method.
func (c *tusClient) responses(method string) []tusEvent {
	var out []tusEvent
	for _, ev := range c.events() {
		if ev.Event == "response" && ev.Method == method {
			out = append(out, ev)
		}
	}
	return out
}

// newTusVideo creates a video and returns its id and tus endpoint.
func newTusVideo(t *testing.T, base string) (id, tusURL string) {
	var v struct {
		ID     string
		Upload struct {
			TusURL string `json:"tus_url"`
		}
	}
	require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, base+"/api/v1/videos", map[string]string{"title": "tus"}, &v))
	require.NotEmpty(t, v.Upload.TusURL)
	return v.ID, v.Upload.TusURL
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	h := sha256.New()
	_, err = io.Copy(h, f)
	require.NoError(t, err)
	return hex.EncodeToString(h.Sum(nil))
}

// requireStoredSource checks that the video has exactly one stored source
// (local store under data/objects) and that it is file, byte for byte.
func requireStoredSource(t *testing.T, data, id, file string) {
	t.Helper()
	sources, err := filepath.Glob(filepath.Join(data, "objects", "raw", id, "source-*"))
	require.NoError(t, err)
	require.Len(t, sources, 1, "one stored source")
	require.Equal(t, sha256File(t, file), sha256File(t, sources[0]), "stored source has the uploaded file's sha256")
}

func fileSize(t *testing.T, path string) int64 {
	st, err := os.Stat(path)
	require.NoError(t, err)
	return st.Size()
}

// TestTusParallelUploads: tus-js-client with parallelUploads: 2 uses the
// concatenation extension; only the final upload starts the video.
func TestTusParallelUploads(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := t.TempDir()
	s := start(t, bin, data)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 4})
	id, tusURL := newTusVideo(t, s.base)

	c := runTusClient(t, map[string]any{"endpoint": tusURL, "file": clip, "parallel": 2})
	c.waitFor(t, "success", 2*time.Minute)
	var posts []int
	for _, r := range c.responses(http.MethodPost) {
		posts = append(posts, r.Status)
	}
	require.Equal(t, []int{201, 201, 201}, posts, "two partial uploads and the final one")
	waitStatus(t, s.base, id, "ready", 3*time.Minute)
	requireStoredSource(t, data, id, clip)

	// The partial uploads' bytes are gone; their records and the final
	// upload's stay (so a client that lost the final answer can resume).
	waitTusFiles(t, data, 3)
}

// waitTusFiles waits until the tus directory holds n files (tusd removes
// its lock files just after answering).
func waitTusFiles(t *testing.T, data string, n int) {
	t.Helper()
	testutil.PollUntil(t, 10*time.Second, "tus directory with "+strconv.Itoa(n)+" files", func() bool {
		entries, err := os.ReadDir(filepath.Join(data, "tus"))
		require.NoError(t, err)
		return len(entries) == n
	})
}

// TestTusResumeFinishedUpload: a client that finished its upload but did
// not learn it (crash before the last 204) resumes from its stored URL, gets
// Upload-Offset = Upload-Length from HEAD and reports success, not an error.
func TestTusResumeFinishedUpload(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := t.TempDir()
	s := start(t, bin, data)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	size := fileSize(t, clip)
	id, tusURL := newTusVideo(t, s.base)
	opts := map[string]any{"endpoint": tusURL, "file": clip, "urlStorage": filepath.Join(t.TempDir(), "tus-urls.json")}

	first := runTusClient(t, opts)
	done := first.waitFor(t, "success", time.Minute)
	waitStatus(t, s.base, id, "ready", 3*time.Minute)

	again := runTusClient(t, opts)
	again.waitFor(t, "success", time.Minute)
	heads := again.responses(http.MethodHead)
	require.Len(t, heads, 1)
	require.Equal(t, 200, heads[0].Status)
	require.Equal(t, strconv.FormatInt(size, 10), *heads[0].Offset)
	require.Empty(t, again.responses(http.MethodPost), "no new upload was created")
	require.Empty(t, again.responses(http.MethodPatch))

	// A plain HEAD says the same, until the video is deleted.
	head := func() *http.Response {
		req, _ := http.NewRequest(http.MethodHead, done.URL, nil)
		req.Header.Set("Tus-Resumable", "1.0.0")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	resp := head()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, resp.Header.Get("Upload-Length"), resp.Header.Get("Upload-Offset"))
	require.Equal(t, http.StatusNoContent, apiCall(t, http.MethodDelete, s.base+"/api/v1/videos/"+id, nil, nil))
	require.Equal(t, http.StatusNotFound, head().StatusCode)
	waitTusFiles(t, data, 0) // the finished upload's record went with its video
}

// TestServeKilledMidTusUpload: SIGKILL `kinema serve` (default settings,
// two cores kept busy) while a PATCH is streaming; restarted on the same data directory, the
// client resumes from HEAD's offset and the stored source is the file.
func TestServeKilledMidTusUpload(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := t.TempDir()
	testutil.BurnCPU(t, 2) // faults happen on busy machines
	addr := freeAddr(t)    // the client's stored upload URL names the port
	args := []string{"serve", "--addr", addr, "--data", data, "--workers", "2", "--srt-addr=", "--rtmp-addr="}
	s := startCmd(t, bin, args, nil)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 1280, Height: 720, Seconds: 6})
	size := fileSize(t, clip)
	id, tusURL := newTusVideo(t, s.base)

	half := size / 2
	c := runTusClient(t, map[string]any{"endpoint": tusURL, "file": clip, "stallAfter": half})
	stalled := c.waitFor(t, "stalled", time.Minute)
	require.Equal(t, half, stalled.At)
	// Kill only once the server has written what it received.
	testutil.PollUntil(t, 30*time.Second, "half the file on the server's disk", func() bool {
		parts, _ := filepath.Glob(filepath.Join(data, "tus", "*"))
		for _, p := range parts {
			if filepath.Ext(p) == "" && fileSize(t, p) == half {
				return true
			}
		}
		return false
	})
	require.NoError(t, s.cmd.Process.Kill())
	<-s.done
	killed := time.Now()

	s2 := startCmd(t, bin, args, nil)
	restarted := time.Since(killed)
	c.waitFor(t, "success", 2*time.Minute)
	t.Logf("serve restarted %s after SIGKILL; upload finished %s after SIGKILL", restarted.Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))

	var resumed bool
	for _, h := range c.responses(http.MethodHead) {
		if h.Status == 200 && h.Offset != nil && *h.Offset == strconv.FormatInt(half, 10) {
			resumed = true
		}
	}
	require.True(t, resumed, "the client resumed from HEAD's offset %d: %+v", half, c.events())
	require.Len(t, c.responses(http.MethodPost), 1, "the upload was resumed, not created again")
	waitStatus(t, s2.base, id, "ready", 3*time.Minute)
	requireStoredSource(t, data, id, clip)
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}
