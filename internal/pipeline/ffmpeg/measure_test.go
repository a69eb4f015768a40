package ffmpeg

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// TestMeasureCountsPackets: the pass over the packets sees the frames and
// the end of a clip, whatever its header says.
func TestMeasureCountsPackets(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 64, Height: 36, Seconds: 3, FPS: 10, Format: "mkv"})
	c, err := r.Measure(context.Background(), src, true, true)
	require.NoError(t, err)
	require.Equal(t, int64(30), c.VideoFrames)
	require.InDelta(t, 3, c.End, 0.2)
	audio, err := r.Measure(context.Background(), src, false, true)
	require.NoError(t, err)
	require.Zero(t, audio.VideoFrames, "audio only: no video counted")
	require.InDelta(t, 3, audio.End, 0.2)
}

// TestEncodeStopsAtPlanDuration: when the source holds more than the plan
// says (a container that claims 2 s of a 6 s clip), the last chunk and the
// audio stop at the plan's duration instead of running to the end.
func TestEncodeStopsAtPlanDuration(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	ctx := context.Background()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 64, Height: 36, Seconds: 6, FPS: 10})
	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.SegmentsPerChunk = 1, 1
	cfg.Heights = []int{36}
	plan, err := media.NewPlan(media.Source{Duration: 2, HasVideo: true, Width: 64, Height: 36, FPSNum: 10, FPSDen: 1,
		HasAudio: true, AudioChannels: 2}, cfg)
	require.NoError(t, err)
	require.Len(t, plan.Chunks, 2)
	out := t.TempDir()
	require.NoError(t, r.Run(ctx, ChunkArgs(plan, plan.Chunks[1], src, out), nil))
	require.Equal(t, 10, countFrames(t, filepath.Join(out, "v0.ts")), "the last chunk: 1 s of 10 fps, not 5 s")

	require.NoError(t, MakeRenditionDirs(out, plan.Audio))
	require.NoError(t, r.Run(ctx, AudioArgs(plan, src, out), nil))
	pl := filepath.Join(out, plan.Audio[0].ID, "index.m3u8")
	d, err := strconv.ParseFloat(strings.TrimSpace(ffprobeOut(t, "-show_entries", "format=duration", "-of", "csv=p=0", pl)), 64)
	require.NoError(t, err)
	require.InDelta(t, 2, d, 0.1, "the audio: 2 s, not 6 s")
}
