package ffmpeg

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
)

// The complexity samples of a source with 10 s GOPs: one ffmpeg, three
// one-second samples from their keyframes, and a noisy source measures far
// more bits than a flat one of the same size.
func TestComplexitySamples(t *testing.T) {
	t.Parallel()
	gop := []string{"-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-g", "300", "-pix_fmt", "yuv420p"}
	noisy := makeMedia(t, "noisy.mp4", append([]string{"-f", "lavfi", "-i",
		"testsrc2=size=640x360:rate=30:duration=12,noise=alls=20:allf=t"}, gop...)...)
	flat := makeMedia(t, "flat.mp4", append([]string{"-f", "lavfi", "-i",
		"smptehdbars=size=640x360:rate=30:duration=12"}, gop...)...)
	plan, err := media.NewPlan(media.Source{HasVideo: true, Width: 640, Height: 360, FPSNum: 30, FPSDen: 1, Duration: 12},
		media.DefaultLadderConfig())
	require.NoError(t, err)
	r := NewRunner("", "", nil)

	measure := func(src string) media.Complexity {
		var before, after syscall.Rusage
		require.NoError(t, syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before))
		start := time.Now()
		c, err := r.Complexity(context.Background(), plan, src, t.TempDir())
		require.NoError(t, err)
		require.NoError(t, syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after))
		// Children of parallel tests count too: a bound, logged, not asserted.
		cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
		t.Logf("%s: %+v in %v wall, <= %v CPU", filepath.Base(src), c, time.Since(start).Round(time.Millisecond), cpu.Round(time.Millisecond))
		return c
	}
	n, f := measure(noisy), measure(flat)
	for _, c := range []media.Complexity{n, f} {
		require.Equal(t, [2]int{640, 360}, [2]int{c.Width, c.Height})
		require.InDelta(t, 3, c.Seconds, 0.01, "three one-second samples")
		require.Positive(t, c.Bitrate)
	}
	require.Greater(t, n.Bitrate, 10*f.Bitrate)

	args := ComplexityArgs(plan, noisy, media.SampleStarts(12, 1), 1, 640, 360, "x.h264")
	require.Contains(t, args, "-noaccurate_seek", "no frame decoded only to be dropped")
}

// SameComplexity: a plan measured on the headers and on the packet count
// sample alike unless the count changes what the samples are.
func TestSameComplexity(t *testing.T) {
	src := media.Source{HasVideo: true, Width: 1920, Height: 1080, FPSNum: 30, FPSDen: 1, Duration: 600}
	plan := func(s media.Source) media.Plan {
		p, err := media.NewPlan(s, media.DefaultLadderConfig())
		require.NoError(t, err)
		return p
	}
	headers := plan(src)
	counted := src
	counted.Frames = 18000
	require.True(t, SameComplexity(headers, plan(counted), "in.mp4"))
	longer := counted
	longer.ClaimedDuration, longer.Duration = 600, 900 // streams run past the container's duration
	require.False(t, SameComplexity(headers, plan(longer), "in.mp4"), "the samples move")
	faster := src
	faster.FPSNum = 60
	require.False(t, SameComplexity(headers, plan(faster), "in.mp4"), "another rate")
}
