package ffmpeg

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
	"github.com/stretchr/testify/require"
)

// makeMedia runs ffmpeg to write a test file into t.TempDir().
func makeMedia(t *testing.T, name string, args ...string) string {
	t.Helper()
	testutil.RequireFFmpeg(t)
	path := filepath.Join(t.TempDir(), name)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}, args...)
	out, err := exec.CommandContext(ctx, "ffmpeg", append(full, path)...).CombinedOutput()
	require.NoError(t, err, "ffmpeg %v: %s", args, out)
	return path
}

// addressSpaceLimit reads the "Max address space" soft and hard limits from
// a /proc/PID/limits text.
func addressSpaceLimit(t *testing.T, limits string) (soft, hard string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(limits))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Max address space"); ok {
			f := strings.Fields(rest)
			require.GreaterOrEqual(t, len(f), 2, sc.Text())
			return f[0], f[1]
		}
	}
	t.Fatalf("no address space line in %q", limits)
	return "", ""
}

// TestMemoryLimitReachesTheChild checks that the ceiling is in force in the
// process the runner starts, through prlimit(1) and through the prlimit(2)
// fallback used when prlimit is not installed.
func TestMemoryLimitReachesTheChild(t *testing.T) {
	t.Parallel()
	const limit = 3 << 30
	t.Run("prlimit command", func(t *testing.T) {
		t.Parallel()
		r := NewRunner("", "", nil)
		require.NotEmpty(t, r.prlimit, "util-linux prlimit is in every Debian; the fallback is for other systems")
		r.MemoryLimit = limit
		var out bytes.Buffer
		require.NoError(t, r.exec(context.Background(), "cat", []string{"/proc/self/limits"}, &out))
		soft, hard := addressSpaceLimit(t, out.String())
		require.Equal(t, [2]string{"3221225472", "3221225472"}, [2]string{soft, hard})
		require.Regexp(t, `Max core file size\s+0\s+0`, out.String())
	})
	t.Run("prlimit syscall after start", func(t *testing.T) {
		t.Parallel()
		r := NewRunner("", "", nil)
		r.prlimit = ""
		r.MemoryLimit = limit
		var out bytes.Buffer
		// The shell's child starts after the limit was set on the shell.
		require.NoError(t, r.exec(context.Background(), "sh", []string{"-c", "sleep 0.3; cat /proc/self/limits"}, &out))
		soft, hard := addressSpaceLimit(t, out.String())
		require.Equal(t, [2]string{"3221225472", "3221225472"}, [2]string{soft, hard})
	})
	t.Run("no limit", func(t *testing.T) {
		t.Parallel()
		r := NewRunner("", "", nil)
		var out bytes.Buffer
		require.NoError(t, r.exec(context.Background(), "cat", []string{"/proc/self/limits"}, &out))
		soft, _ := addressSpaceLimit(t, out.String())
		require.Equal(t, "unlimited", soft)
	})
}

// TestMemoryLimitStopsPixelBomb decodes a 50 KB file of 4096×4096 frames
// with 16 reference frames, shown as 256×4096 (SAR 1:16), under a ceiling an
// honest small clip fits in with room to spare: the bomb fails with a
// sentence for the uploader, marked as the input's fault so it is not
// retried, and the same runner keeps working.
func TestMemoryLimitStopsPixelBomb(t *testing.T) {
	t.Parallel()
	bomb := makeMedia(t, "bomb.mkv", "-f", "lavfi", "-i", "color=c=gray:size=4096x4096:rate=30", "-frames:v", "24",
		"-vf", "setsar=1/16", "-c:v", "libx264", "-preset", "ultrafast", "-x264-params", "ref=16")
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 1})
	r := NewRunner("", "", nil)
	r.MemoryLimit = 512 << 20
	decode := func(path string) error {
		// Fixed thread counts, so what both files need does not depend on
		// the machine: measured 260 MiB of address space for the clip,
		// 990 MiB for the bomb.
		return r.Run(context.Background(), []string{"-threads", "2", "-filter_threads", "1", "-i", path, "-f", "null", "-"}, nil)
	}

	err := decode(bomb)
	var ml *MemoryLimitError
	require.ErrorAs(t, err, &ml, "%v", err)
	require.EqualValues(t, 512<<20, ml.Limit)
	var in *media.InputError
	require.ErrorAs(t, err, &in)
	require.Equal(t, "The file needs more memory to decode than this server allows (512 MiB). "+
		"It may be damaged, or describe pictures far larger than it shows.", in.Reason)
	var ee *ExitError
	require.ErrorAs(t, err, &ee)
	require.True(t, ee.Input, "retrying the same file cannot help")
	require.Equal(t, in.Reason, ee.Hint)

	require.NoError(t, decode(clip), "an honest clip fits the same ceiling")
	r.MemoryLimit = 0
	require.NoError(t, decode(bomb), "without a ceiling the bomb decodes: the ceiling is what stopped it")
}

// TestProbeUnderMemoryLimit: ffprobe gets the ceiling too, and an honest
// file probes fine under the default one.
func TestProbeUnderMemoryLimit(t *testing.T) {
	t.Parallel()
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 1})
	r := NewRunner("", "", nil)
	r.MemoryLimit = config.Default().FFmpegMemoryLimit()
	s, err := r.Probe(context.Background(), clip)
	require.NoError(t, err)
	require.True(t, s.HasVideo)

	r.MemoryLimit = 64 << 20 // not even room to load ffprobe's libraries
	_, err = r.Probe(context.Background(), clip)
	var ml *MemoryLimitError
	require.ErrorAs(t, err, &ml, "%v", err)
}

// TestChunkEncodeMemory measures the peak memory (getrusage maxrss) of a
// 1080p chunk job with five rungs and storyboard tiles, run under the
// smallest default ceiling, and checks that the memory does not grow with
// the chunk's length: a filter branch that stopped consuming while split
// kept feeding it would hold every frame of the chunk.
func TestChunkEncodeMemory(t *testing.T) {
	t.Parallel()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 1920, Height: 1080, Seconds: 2.5, Video: true})
	r := NewRunner("", "", nil)
	// The floor of the default (a machine with little memory), so an honest
	// 1080p job is known to fit in it.
	r.MemoryLimit = config.FFmpegMemoryFloor()
	var mu sync.Mutex
	var peak int64
	r.UsageFunc = func(u Usage) {
		mu.Lock()
		defer mu.Unlock()
		peak = u.MaxRSS
	}
	s, err := r.Probe(context.Background(), src)
	require.NoError(t, err)
	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.SegmentsPerChunk = 1, 1
	cfg.Threads = 2 // the same thread count on every machine, so RSS compares
	plan, err := media.NewPlan(s, cfg)
	require.NoError(t, err)
	require.Len(t, plan.Video, 5, "1080p: 1080, 720, 480, 360, 240")

	encode := func(frames int) int64 {
		c := media.Chunk{Index: 1, StartFrame: 5, Start: 5.0 / 30, Frames: frames}
		out := t.TempDir()
		require.NoError(t, r.Run(context.Background(), ChunkArgs(plan, c, src, out), nil))
		for _, v := range plan.Video {
			fi, err := os.Stat(filepath.Join(out, v.ID+".ts"))
			require.NoError(t, err)
			require.Positive(t, fi.Size())
		}
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
	// x264's lookahead and frame threads fill up over the first ~20 frames;
	// from there on memory is flat.
	short, long := encode(30), encode(60)
	t.Logf("peak RSS of a 1080p 5-rung chunk: %d MiB for 30 frames, %d MiB for 60 frames (ceiling %s)",
		short>>20, long>>20, FormatBytes(r.MemoryLimit))
	require.Less(t, long, int64(1<<30), "a 1080p chunk job measured about 520 MiB")
	// Measured: 9 MiB apart. Holding the 30 more frames would cost 93 MB at
	// 1080p alone, 165 MB in all five rungs.
	require.Less(t, long-short, int64(48<<20), "memory grows with the chunk's frames")
}

// TestFormatBytes covers the units of the uploader's sentence.
func TestFormatBytes(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{512: "512 B", 640 << 20: "640 MiB", 3 << 30: "3 GiB", 3<<30 + 1<<29: "3.5 GiB"} {
		require.Equal(t, want, FormatBytes(n), fmt.Sprint(n))
	}
}

// TestOverMemoryLimit classifies what ffmpeg printed when runs failed under
// prlimit --as in measurements (a 1080p and a 4K chunk job at 200 MiB to
// 2.2 GiB, a pixel bomb decode).
func TestOverMemoryLimit(t *testing.T) {
	t.Parallel()
	exit1, segv := syscall.WaitStatus(1<<8), syscall.WaitStatus(syscall.SIGSEGV)
	for _, stderr := range []string{
		"ffmpeg: error while loading shared libraries: libgomp.so.1: failed to map segment from shared object",
		"Error reinitializing filters!\nFailed to inject frame into filter network: Resource temporarily unavailable",
		"x264 [error]: malloc of size 5353683 failed\nError initializing output stream 0:0 -- Error while opening encoder for output stream #0:0",
		"Error initializing output stream 1:0 -- Error while opening encoder for output stream #1:0 - maybe incorrect parameters",
		"[h264 @ 0x1] thread_get_buffer() failed\n[h264 @ 0x1] decode_slice_header error\nError while decoding stream #0:0: Invalid data found when processing input",
		"Error while filtering: Cannot allocate memory",
	} {
		require.True(t, overMemoryLimit(1<<30, stderr, exit1), stderr)
		require.False(t, overMemoryLimit(0, stderr, exit1), "no ceiling, no ceiling error: %s", stderr)
	}
	require.True(t, overMemoryLimit(1<<30, "", segv), "an unchecked failed allocation crashes")
	require.False(t, overMemoryLimit(1<<30, "file.mp4: Invalid data found when processing input", exit1))
	require.False(t, overMemoryLimit(1<<30, "", syscall.WaitStatus(syscall.SIGKILL)), "the kernel's OOM killer is not the ceiling")
}

// TestCheckEncodersTooSmallLimit: a ceiling too small to load ffmpeg stops
// the server at startup with a message about the setting, not about a file.
func TestCheckEncodersTooSmallLimit(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	r.MemoryLimit = 64 << 20
	err := r.CheckEncoders(context.Background())
	require.ErrorContains(t, err, "ffmpeg cannot even start within the memory limit of 64 MiB (KINEMA_FFMPEG_MEMORY)")
	require.NotContains(t, err.Error(), "The file")
}

// TestFullLadderChunkFitsDefaultCeiling encodes the one chunk of a 1080p
// source into the whole default ladder in H.264 and AV1 (ten encoders in
// one ffmpeg, the storyboard tiles beside them) under the smallest default
// ffmpeg memory ceiling on this machine (config.FFmpegMemoryFloor: what
// KINEMA_FFMPEG_MEMORY unset gives on a small machine). SVT-AV1 at its
// default parallelism reserved gigabytes per encoder and went over it.
func TestFullLadderChunkFitsDefaultCeiling(t *testing.T) {
	t.Parallel()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 1920, Height: 1080, Seconds: 1, Video: true})
	cfg := media.DefaultLadderConfig()
	plan, err := media.NewPlan(media.Source{HasVideo: true, Width: 1920, Height: 1080, FPSNum: 30, FPSDen: 1, Duration: 1}, cfg)
	require.NoError(t, err)
	plan = media.WithCodecs(plan, []string{media.CodecH264, media.CodecAV1})
	require.Len(t, plan.Video, 10, "1080p 720p 480p 360p 240p in both codecs")
	require.Len(t, plan.Chunks, 1)

	r := NewRunner("", "", nil)
	r.MemoryLimit = config.FFmpegMemoryFloor()
	out := t.TempDir()
	// Over the ceiling SVT-AV1 does not always exit: it can wait forever
	// for the threads that failed to start. Measured: 22 s at load 30.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var frames int64
	err = r.Run(ctx, ChunkArgs(plan, plan.Chunks[0], src, out), func(p Progress) { frames = p.Frame })
	require.NoError(t, err, "under a %d MiB ceiling", r.MemoryLimit>>20)
	require.EqualValues(t, 30, frames)
	for _, v := range plan.Video {
		info, err := os.Stat(filepath.Join(out, ChunkFile(v)))
		require.NoError(t, err)
		require.Positive(t, info.Size(), v.ID)
	}
}
