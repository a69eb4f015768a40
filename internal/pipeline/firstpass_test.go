package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/testutil"
)

// TestFirstPassPlan: the first pass the probe encodes on the headers' plan
// has the bytes the first chunk's job encodes in one pass of the whole
// ladder, and its arguments do not change when per-title drops the rungs
// between the top and the bottom (which is why it can start before they
// are chosen); they do when the bottom rung changes.
func TestFirstPassPlan(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	ctx := context.Background()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 3, FPS: 30, Video: true})
	run := ffmpeg.NewRunner("", "", nil)
	source, err := run.Probe(ctx, src)
	require.NoError(t, err)
	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.SegmentsPerChunk, cfg.FirstChunkSegments, cfg.FirstSegmentSeconds = 2, 2, 1, 1
	cfg.Heights = []int{360, 288, 240, 180, 144}
	plan, err := media.NewPlan(source, cfg)
	require.NoError(t, err)
	require.Len(t, plan.Video, 5)
	require.Equal(t, 30, plan.Chunks[0].Frames)

	sub, ok := firstPassPlan(plan)
	require.True(t, ok)
	early, whole := t.TempDir(), t.TempDir()
	require.NoError(t, run.Run(ctx, firstPassArgs(sub, src, early), nil))
	require.NoError(t, run.Run(ctx, ffmpeg.ChunkArgs(plan, plan.Chunks[0], src, whole), nil))
	a, err := os.ReadFile(filepath.Join(early, "first.ts"))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(whole, ffmpeg.ChunkFile(plan.Video[4])))
	require.NoError(t, err)
	require.True(t, bytes.Equal(a, b), "the early first pass differs from the bottom rung of the whole chunk")

	args := func(p media.Plan) string {
		sub, ok := firstPassPlan(p)
		require.True(t, ok)
		return strings.Join(firstPassArgs(sub, src, "/out"), " ")
	}
	dropped := plan
	dropped.Video = slices.Delete(slices.Clone(plan.Video), 1, 3) // 360, 180, 144
	require.Equal(t, args(plan), args(dropped), "per-title's choice of the middle rungs")
	capped := plan
	capped.Video = slices.Clone(plan.Video)
	capped.Video[4].MaxRate /= 2
	require.NotEqual(t, args(plan), args(capped))

	// Two rungs: one pass, nothing to encode early.
	two := plan
	two.Video = []media.Rendition{plan.Video[0], plan.Video[4]}
	_, ok = firstPassPlan(two)
	require.False(t, ok)
}
