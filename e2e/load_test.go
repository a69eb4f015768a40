//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// Load test parameters, from issue 11's fault table: 1000 concurrent HLS
// viewers on loopback for 60 s against `kinema serve` with default settings.
const (
	loadViewers  = 1000
	loadDuration = 60 * time.Second
	// loadMaxRSS bounds the server's peak resident memory (VmHWM) over its
	// whole life: processing the clip, then serving the viewers. The peak
	// measured on the 2-core dev VM was 78 MiB (docs/benchmarks.md, "1000
	// HLS viewers"); the bound leaves over 3x headroom for GC timing and a
	// busier machine, while a leak of 200 KiB per connection, or of one
	// 4 KiB buffer per request (52,000 requests), would cross it.
	loadMaxRSS = 256 << 20
)

// TestHLSViewersLoad processes a small clip, then lets 1000 simulated HLS
// players (bench/loadgen hls: master, media playlists, init sections, then
// segments at playback speed after a 30 s buffer, in a loop, each player on
// its own connection with its own signed URL) watch it for 60 s. Every
// request must succeed and the server's peak RSS must stay bounded; p99
// latency and RSS are logged for docs/benchmarks.md.
func TestHLSViewersLoad(t *testing.T) {
	testutil.RequireFFmpeg(t)
	raiseFileLimit(t, 3*loadViewers)
	bin := binary(t)
	loadgen := filepath.Join(t.TempDir(), "loadgen")
	build := exec.Command("go", "build", "-o", loadgen, "../bench/loadgen")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	data := t.TempDir()
	s := startCmd(t, bin, []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--srt-addr=", "--rtmp-addr="}, nil)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 16})
	id := createAndPut(t, s.base, clip)
	waitStatus(t, s.base, id, "ready", 5*time.Minute)

	// One signed URL per viewer, as each real viewer gets its own.
	urls := make([]string, loadViewers)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < loadViewers; i += 8 {
				urls[i] = playbackHLS(t, s.base, id)
			}
		})
	}
	wg.Wait()
	master := fetch(t, urls[0])
	t.Logf("master playlist: %d video variants, %d audio renditions",
		strings.Count(master, "#EXT-X-STREAM-INF"), strings.Count(master, "TYPE=AUDIO"))
	urlFile := filepath.Join(t.TempDir(), "urls")
	require.NoError(t, os.WriteFile(urlFile, []byte(strings.Join(urls, "\n")), 0o600))

	pid := s.cmd.Process.Pid
	rssBefore := procStatusKB(t, pid, "VmRSS")
	var out, errb bytes.Buffer
	lg := exec.Command(loadgen, "hls", "-urls", urlFile, "-viewers", strconv.Itoa(loadViewers), "-d", loadDuration.String())
	lg.Stdout, lg.Stderr = &out, &errb
	start := time.Now()
	require.NoError(t, lg.Start())
	// Sample the server's RSS while the viewers watch, for the report.
	var peakDuringLoad int64
	done := make(chan error, 1)
	go func() { done <- lg.Wait() }()
	var lgErr error
	for waiting := true; waiting; {
		select {
		case lgErr = <-done:
			waiting = false
		case <-time.After(time.Second):
			peakDuringLoad = max(peakDuringLoad, procStatusKB(t, pid, "VmRSS"))
		}
	}
	t.Logf("loadgen (%s): %s%s", time.Since(start).Round(time.Second), out.String(), errb.String())
	require.NoError(t, lgErr, "every viewer request must succeed: %s", errb.String())

	hwm := procStatusKB(t, pid, "VmHWM")
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	t.Logf("server RSS: %d MiB after processing, %d MiB peak sampled during the load, VmHWM %d MiB (bound %d MiB); %d open fds after",
		rssBefore>>10, peakDuringLoad>>10, hwm>>10, loadMaxRSS>>20, len(fds))
	res := parseKV(out.String())
	require.Equal(t, strconv.Itoa(loadViewers), res["started"], "every viewer started playing")
	require.Equal(t, "0", res["errors"])
	require.Less(t, hwm<<10, int64(loadMaxRSS), "server peak RSS")

	// And it still answers normally afterwards.
	require.Equal(t, http.StatusOK, statusOf(t, urls[0]))
}

// raiseFileLimit makes sure n descriptors can be open: the loadgen and the
// server each hold one socket per viewer plus the files being served. Go
// programs raise their own soft RLIMIT_NOFILE to the hard limit at start
// (and give children the original soft limit back unless the program set
// the limit itself), so both children would manage alone; setting it here
// passes the raised limit to every child, ffmpeg included, and fails early
// with a clear message where the hard limit is too low.
func raiseFileLimit(t *testing.T, n uint64) {
	t.Helper()
	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	if lim.Max < n {
		t.Fatalf("hard RLIMIT_NOFILE is %d; this test needs %d (raise it, e.g. ulimit -Hn %d as root)", lim.Max, n, n)
	}
	lim.Cur = lim.Max
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))
}

// procStatusKB reads a "Key:   N kB" line of /proc/PID/status.
func procStatusKB(t *testing.T, pid int, key string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			require.NoError(t, err, line)
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", key, pid)
	return 0
}

// parseKV splits a "k=v k=v" line.
func parseKV(line string) map[string]string {
	out := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = v
		}
	}
	return out
}
