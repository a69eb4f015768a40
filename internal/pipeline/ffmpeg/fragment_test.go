package ffmpeg

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// TestShiftSegmentMatchesWholePackaging packages each chunk on its own,
// shifts its segments with ShiftSegment, and requires them to be byte for
// byte the segments of packaging the concatenated rendition (what the
// package step publishes): progressive playback serves the former before
// the latter exist, under the same immutable URLs. The 9 s clips end with a
// chunk longer than the others.
func TestShiftSegmentMatchesWholePackaging(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	ctx := context.Background()
	for _, fps := range []int{30, 25} {
		t.Run(fmt.Sprint(fps), func(t *testing.T) {
			t.Parallel()
			srcPath := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 9, FPS: fps})
			src, err := r.Probe(ctx, srcPath)
			require.NoError(t, err)
			cfg := media.DefaultLadderConfig()
			cfg.SegmentSeconds, cfg.SegmentsPerChunk = 1, 2
			cfg.Heights = []int{180, 120}
			plan, err := media.NewPlan(src, cfg)
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(plan.Chunks), 3)

			work := t.TempDir()
			for _, c := range plan.Chunks {
				dir := filepath.Join(work, fmt.Sprintf("chunk%d", c.Index))
				require.NoError(t, os.MkdirAll(dir, 0o755))
				require.NoError(t, r.Run(ctx, ChunkArgs(plan, c, srcPath, dir), nil), "chunk %d", c.Index)
			}
			whole := t.TempDir()
			require.NoError(t, MakeRenditionDirs(whole, plan.Video))
			require.NoError(t, r.Run(ctx, PackageArgs(plan, joinChunks(t, plan, work, "chunk"), whole), nil))

			for _, c := range plan.Chunks {
				dir := filepath.Join(work, fmt.Sprintf("chunk%d", c.Index))
				out := filepath.Join(dir, "pkg")
				require.NoError(t, MakeRenditionDirs(out, plan.Video))
				var inputs []string
				for _, v := range plan.Video {
					inputs = append(inputs, filepath.Join(dir, v.ID+".ts"))
				}
				require.NoError(t, r.Run(ctx, PackageArgs(plan, inputs, out), nil))
				first, n := plan.ChunkSegments(c.Index)
				for _, v := range plan.Video {
					segs, err := filepath.Glob(filepath.Join(out, v.ID, "seg_*.m4s"))
					require.NoError(t, err)
					require.Len(t, segs, n, "chunk %d %s", c.Index, v.ID)
					for j := range n {
						b, err := os.ReadFile(filepath.Join(out, v.ID, fmt.Sprintf("seg_%05d.m4s", j)))
						require.NoError(t, err)
						require.NoError(t, ShiftSegment(b, uint32(first), c.StartFrame, plan.FPSNum, plan.FPSDen))
						want, err := os.ReadFile(filepath.Join(whole, v.ID, fmt.Sprintf("seg_%05d.m4s", first+j)))
						require.NoError(t, err)
						require.True(t, string(want) == string(b), "chunk %d %s segment %d differs from the whole packaging", c.Index, v.ID, first+j)
					}
					init, err := os.ReadFile(filepath.Join(out, v.ID, "init.mp4"))
					require.NoError(t, err)
					want, err := os.ReadFile(filepath.Join(whole, v.ID, "init.mp4"))
					require.NoError(t, err)
					require.Equal(t, want, init, "chunk %d %s init", c.Index, v.ID)
				}
			}
			// The planned grid is what the whole packaging wrote.
			for _, v := range plan.Video {
				durs, segs := readPlaylist(t, filepath.Join(whole, v.ID, "index.m3u8"))
				require.Len(t, segs, plan.VideoSegmentCount())
				for i, d := range plan.VideoSegmentDurations() {
					require.InDelta(t, durs[i], d, 1e-3, "segment %d", i)
				}
			}
		})
	}
}
