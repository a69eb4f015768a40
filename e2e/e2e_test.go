//go:build e2e

// Package e2e drives the real kinema binary: serve on a loopback port,
// apikey create, upload --wait, and a restart in the middle of processing.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

const adminToken = "e2e-admin-token"

// binary returns KINEMA_BIN or builds the command into a temp dir.
func binary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("KINEMA_BIN"); b != "" {
		return b
	}
	out := filepath.Join(t.TempDir(), "kinema")
	cmd := exec.Command("go", "build", "-o", out, "../cmd/kinema")
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run())
	return out
}

type server struct {
	cmd     *exec.Cmd
	base    string
	done    chan struct{} // closed when the process has exited
	waitErr error         // its exit status, valid after done

	mu  sync.Mutex
	log strings.Builder // everything the server wrote to stderr
}

func (s *server) logged(substr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Contains(s.log.String(), substr)
}

var listening = regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)

// start runs `kinema serve` on port 0 and waits for its "listening on" line.
func start(t *testing.T, bin, data string, extraEnv ...string) *server {
	t.Helper()
	return startCmd(t, bin, []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--workers", "2",
		"--srt-addr=", "--rtmp-addr="}, extraEnv)
}

// startCmd runs the binary with args and waits for its "listening on" line.
func startCmd(t *testing.T, bin string, args, extraEnv []string) *server {
	t.Helper()
	cmd := exec.Command(bin, args...)
	// Metrics on a port of their own per process: parallel servers would
	// collide on the default one.
	cmd.Env = append(os.Environ(), append([]string{"KINEMA_ADMIN_TOKEN=" + adminToken, "KINEMA_METRICS_ADDR=127.0.0.1:0"}, extraEnv...)...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &server{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			s.mu.Lock()
			s.log.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
			if testing.Verbose() {
				t.Log(sc.Text())
			}
		}
	}()
	go func() { s.waitErr = cmd.Wait(); close(s.done) }()
	select {
	case a := <-addr:
		s.base = "http://" + a
	case <-s.done:
		t.Fatalf("kinema serve exited early: %v", s.waitErr)
	case <-time.After(30 * time.Second):
		t.Fatal("kinema serve did not report its address")
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop sends SIGTERM and requires a clean exit.
func (s *server) stop(t *testing.T) {
	select {
	case <-s.done: // already gone (stopped or killed by the test)
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		require.NoError(t, s.waitErr, "graceful shutdown exits 0")
	case <-time.After(40 * time.Second):
		_ = s.cmd.Process.Signal(syscall.SIGQUIT) // Go prints every goroutine's stack
		time.Sleep(time.Second)
		_ = s.cmd.Process.Kill()
		s.mu.Lock()
		tail := s.log.String()
		s.mu.Unlock()
		t.Fatalf("kinema serve did not stop after SIGTERM; its stacks:\n%s", tail[max(0, len(tail)-20000):])
	}
}

func runCLI(t *testing.T, bin string, args ...string) (stdout string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errorsAs(err, &exit) {
		t.Fatalf("%v: %v", args, err)
	}
	if exit != nil {
		code = exit.ExitCode()
	}
	if testing.Verbose() {
		t.Log(errb.String())
	}
	return out.String(), code
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*target = e
	return ok
}

func TestUploadWaitCLI(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := t.TempDir()
	s := start(t, bin, data)

	key, code := runCLI(t, bin, "apikey", "create", "--data", data, "--name", "e2e")
	require.Zero(t, code)
	key = strings.TrimSpace(key)
	require.True(t, strings.HasPrefix(key, "kin_"))

	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 480, Height: 270, Seconds: 3})
	out, code := runCLI(t, bin, "upload", "--server", s.base, "--token", key, "--title", "cli clip", "--wait", clip)
	require.Zero(t, code)
	var v struct {
		Status   string
		Title    string
		Playback struct{ HLS string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &v), out)
	require.Equal(t, "ready", v.Status)
	require.Equal(t, "cli clip", v.Title)
	resp, err := http.Get(v.Playback.HLS)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "#EXT-X-STREAM-INF")

	out, code = runCLI(t, bin, "upload", "--server", s.base, "--token", key, "--wait", testutil.MakeCorrupt(t))
	require.Equal(t, 1, code, "a failed video exits non-zero")
	require.Contains(t, out, `"status": "failed"`)

	_, code = runCLI(t, bin, "upload", "--server", s.base, "--token", "wrong", clip)
	require.NotZero(t, code)
}

// TestRestartMidProcessing: SIGTERM while chunks are encoding releases the
// running jobs; after a restart on the same data the video still ends ready.
func TestRestartMidProcessing(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := t.TempDir()
	// Slow settings so jobs are surely running when the signal arrives.
	env := []string{"KINEMA_PRESET=medium", "KINEMA_SEGMENT_SECONDS=2", "KINEMA_SEGMENTS_PER_CHUNK=1"}
	s := start(t, bin, data, env...)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 1280, Height: 720, Seconds: 8})

	id := createAndPut(t, s.base, clip)
	waitStatus(t, s.base, id, "processing", 30*time.Second)
	time.Sleep(500 * time.Millisecond)
	s.stop(t)
	require.True(t, s.logged("job interrupted by shutdown"), "a running job was released, not awaited")

	s2 := start(t, bin, data, env...)
	waitStatus(t, s2.base, id, "ready", 2*time.Minute)
}

func apiCall(t *testing.T, method, url string, body any, out any) int {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	if out != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

func createAndPut(t *testing.T, base, file string) string {
	var v struct {
		ID     string
		Upload struct{ URL string }
	}
	require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, base+"/api/v1/videos", map[string]string{"title": "x"}, &v))
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPut, v.Upload.URL, f)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return v.ID
}

func waitStatus(t *testing.T, base, id, want string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var v struct{ Status, Error string }
		require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, base+"/api/v1/videos/"+id, nil, &v))
		if v.Status == want {
			return
		}
		require.NotEqual(t, "failed", v.Status, v.Error)
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("video %s did not reach %s", id, want)
}

func itoa(n int) string { return strconv.Itoa(n) }
