package ffmpeg

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/testutil"
	"github.com/stretchr/testify/require"
)

func newTestRunner(t *testing.T) *Runner {
	t.Helper()
	testutil.RequireFFmpeg(t)
	return NewRunner("", "", nil)
}

func TestProgressWriter(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	var got []Progress
	w := newProgressWriter(func(p Progress) { got = append(got, p) }, func() time.Time { return now })
	block := func(frame, us, speed, prog string) string {
		return "frame=" + frame + "\nfps=0.00\nout_time_us=" + us + "\nout_time=00:00:00\nspeed=" + speed + "\nprogress=" + prog + "\n"
	}
	// Split writes mid-line, as pipes do.
	b := block("10", "333333", "   2.5x", "continue")
	_, _ = w.Write([]byte(b[:7]))
	_, _ = w.Write([]byte(b[7:]))
	now = now.Add(100 * time.Millisecond) // throttled
	_, _ = w.Write([]byte(block("20", "666666", "2.5x", "continue")))
	now = now.Add(500 * time.Millisecond)
	_, _ = w.Write([]byte(block("30", "N/A", "N/A", "continue")))
	now = now.Add(time.Millisecond) // the final block is never throttled
	_, _ = w.Write([]byte("drop_frames=2\ndup_frames=3\n" + block("40", "1333333", "3x", "end")))
	require.Equal(t, []Progress{
		{OutTime: 333333 * time.Microsecond, Frame: 10, Speed: 2.5},
		{OutTime: 666666 * time.Microsecond, Frame: 30, Speed: 2.5},
		{OutTime: 1333333 * time.Microsecond, Frame: 40, Speed: 3, Dropped: 5, Done: true},
	}, got)
}

func TestTailBuffer(t *testing.T) {
	t.Parallel()
	tb := newTailBuffer(16)
	_, _ = tb.Write([]byte("short\n"))
	require.Equal(t, "short\n", tb.String())
	for i := range 20 {
		_, _ = tb.Write([]byte("line " + strconv.Itoa(i) + "\n"))
	}
	s := tb.String()
	require.LessOrEqual(t, len(s), 16)
	require.True(t, strings.HasSuffix(s, "line 19\n"), s)
	require.False(t, strings.HasPrefix(s, "ine"), "tail starts at a line boundary: %q", s)
}

func TestLookupHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		stderr string
		input  bool
		want   string
	}{
		{"[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found\nx.mp4: Invalid data found when processing input", true, "incomplete"},
		{"x.mp4: Invalid data found when processing input", true, "not a media file"},
		{"[hls @ 0x1] Protocol 'http' not on whitelist 'file'!", true, "refers to other files"},
		{"Format not on whitelist 'mov,matroska'", true, "container format"},
		{"av_interleaved_write_frame(): No space left on device", false, "disk space"},
		{"Unknown encoder 'libx264'", false, "encoder"},
		{"something else entirely", false, ""},
	}
	for _, tt := range tests {
		text, input := lookupHint(tt.stderr)
		require.Equal(t, tt.input, input, tt.stderr)
		if tt.want == "" {
			require.Empty(t, text)
		} else {
			require.Contains(t, text, tt.want)
		}
	}
}

func TestExitErrorMessage(t *testing.T) {
	t.Parallel()
	e := &ExitError{Code: 1, Hint: "The file is bad.", StderrTail: "a\nb\nc\nd\ne\nf\ng\n"}
	require.Equal(t, "exit status 1: The file is bad.; stderr: c | d | e | f | g", e.Error())
}

func TestRunProgress(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	var mu sync.Mutex
	var got []Progress
	err := r.Run(context.Background(), []string{"-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-f", "null", "-"}, func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p)
	})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, got)
	last := got[len(got)-1]
	require.True(t, last.Done)
	require.EqualValues(t, 60, last.Frame)
	require.InDelta(t, 2.0, last.OutTime.Seconds(), 0.05)
}

func TestRunExitError(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	corrupt := filepath.Join(t.TempDir(), "corrupt.bin")
	require.NoError(t, os.WriteFile(corrupt, []byte(strings.Repeat("not media at all ", 4096)), 0o644))
	err := r.Run(context.Background(), []string{"-i", corrupt, "-f", "null", "-"}, nil)
	var ee *ExitError
	require.ErrorAs(t, err, &ee)
	require.NotZero(t, ee.Code)
	require.Contains(t, ee.StderrTail, "Invalid data found when processing input")
	require.True(t, ee.Input)
	require.Contains(t, ee.Hint, "not a media file")
	require.Contains(t, err.Error(), "ffmpeg: exit status")
}

// TestRunCancel checks that cancelling the context stops a real-time ffmpeg
// promptly and leaves nothing of its process group behind.
func TestRunCancel(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	errStop := errors.New("test stop")
	marker := "kinema-cancel-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	started := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		// -re: read at native speed, so this would run for an hour.
		done <- r.Run(ctx, []string{"-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=3600",
			"-metadata", "comment=" + marker, "-f", "null", "-"}, func(Progress) {
			select {
			case started <- struct{}{}:
			default:
			}
		})
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("ffmpeg ended early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no progress from ffmpeg")
	}
	pid := findProcess(t, marker)
	begin := time.Now()
	cancel(errStop)
	select {
	case err := <-done:
		require.ErrorIs(t, err, errStop)
	case <-time.After(4 * time.Second):
		t.Fatal("ffmpeg did not stop within 4s of cancel")
	}
	require.Less(t, time.Since(begin), 4*time.Second)
	if pid > 0 {
		require.ErrorIs(t, syscall.Kill(-pid, 0), syscall.ESRCH, "process group %d still exists", pid)
	}
}

// TestRunCancelEscalates uses a stand-in "ffmpeg" that ignores SIGTERM and
// has a child: both must be gone after the kill delay.
func TestRunCancelEscalates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := filepath.Join(dir, "fake-ffmpeg")
	pidFile := filepath.Join(dir, "child.pid")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\ntrap '' TERM\nsleep 60 &\necho $! > "+pidFile+"\nwait\n"), 0o755))
	r := NewRunner(script, "", nil)
	r.killDelay = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, nil, nil) }()
	var child int
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(pidFile)
		child, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && child > 0
	}, 5*time.Second, 20*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return after the kill delay")
	}
	require.Eventually(t, func() bool { return dead(child) },
		2*time.Second, 20*time.Millisecond, "child %d survived", child)
}

// dead reports that pid is gone or a zombie: killed, but its new parent
// (init, once the shell died) has not reaped it yet, which on a busy
// machine can take seconds.
func dead(pid int) bool {
	if syscall.Kill(pid, 0) == syscall.ESRCH {
		return true
	}
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return os.IsNotExist(err)
	}
	// "pid (comm) S ...": the state follows the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}

// findProcess returns the pid whose command line contains marker, or 0 when
// /proc is not available.
func findProcess(t *testing.T, marker string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), marker) {
			return pid
		}
	}
	t.Fatalf("no process with %q", marker)
	return 0
}

func TestCheckEncoders(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	require.NoError(t, r.CheckEncoders(context.Background()))
	bad := NewRunner(filepath.Join(t.TempDir(), "no-such-ffmpeg"), "", nil)
	require.Error(t, bad.CheckEncoders(context.Background()))
}

// TestYielder: background encodes run at kinema's own niceness; while
// work a viewer waits for runs (Yield), those running are reniced n levels
// lower, as are those that start meanwhile, never past 19. Each process
// reads its niceness from /proc as it ends.
func TestYielder(t *testing.T) {
	t.Parallel()
	require.Equal(t, 10, niceness(0, 10))
	require.Equal(t, 15, niceness(5, 10))
	require.Equal(t, 19, niceness(12, 10), "a unit's Nice=12 still leaves the background below it")

	dir := t.TempDir()
	script := filepath.Join(dir, "ffmpeg")
	// The last two arguments (after the runner's own): seconds to sleep,
	// file to write the niceness to.
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\nfor a; do sleep=$out; out=$a; done\nsleep $sleep\ncut -d' ' -f19 /proc/$$/stat >$out\n"), 0o755))
	r := newTestRunner(t)
	r.FFmpeg = script
	y := NewYielder(3)
	ctx := y.Context(context.Background())
	nice := func(name, sleep string) int {
		out := filepath.Join(dir, name)
		require.NoError(t, r.Run(ctx, []string{sleep, out}, nil))
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		require.NoError(t, err)
		return n
	}
	own := ownNice()
	require.Equal(t, own, nice("idle", "0"), "nothing waits: the process's own")

	got := make(chan int)
	go func() { got <- nice("running", "1") }()
	testutil.PollUntil(t, 10*time.Second, "the process runs", func() bool {
		y.mu.Lock()
		defer y.mu.Unlock()
		return len(y.groups) == 1
	})
	done := y.Yield()
	require.Equal(t, own+3, <-got, "reniced when a viewer's work began")
	// It reads its niceness 0.2 s in: the renice follows Start, and a
	// process that read at once could beat it on a busy machine.
	require.Equal(t, own+3, nice("started", "0.2"), "reniced at its start while a viewer's work runs")
	done()
	done() // once only
	require.Equal(t, own, nice("after", "0"))
}
