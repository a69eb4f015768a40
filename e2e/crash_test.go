//go:build e2e

package e2e

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestCrashMidProcessing: `kinema serve` on its embedded defaults (SQLite,
// local disk) is SIGKILLed while it encodes, beside two busy cores. Started
// again on the same data, it picks the dead process's jobs up within
// seconds (their heartbeat is stale) instead of after River's 2 h rescue,
// and the video ends ready.
func TestCrashMidProcessing(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := t.TempDir()
	testutil.BurnCPU(t, 2)
	s := start(t, bin, data)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 1280, Height: 720, Seconds: 8})
	id := createAndPut(t, s.base, clip)
	waitRunningChunk(t, s.base, id, s)
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGKILL))
	<-s.done

	s2 := start(t, bin, data)
	restarted := time.Now()
	testutil.PollUntil(t, 30*time.Second, "the crashed process's chunk is requeued", func() bool {
		for _, j := range videoJobs(t, s2.base, id) {
			if j.WorkersLost > 0 {
				return true
			}
		}
		return false
	})
	t.Logf("requeued %.1f s after the restart", time.Since(restarted).Seconds())
	waitStatus(t, s2.base, id, "ready", 3*time.Minute)
	t.Logf("ready %.1f s after the restart", time.Since(restarted).Seconds())
}
