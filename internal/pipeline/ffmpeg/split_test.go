package ffmpeg

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

func TestKeyframeScanner(t *testing.T) {
	t.Parallel()
	scan := func(out string) (KeyframeIndex, error) {
		var sc keyframeScanner
		w := &lineWriter{fn: sc.line}
		// Written in odd pieces, as a pipe delivers it.
		for len(out) > 0 {
			n := min(7, len(out))
			_, _ = w.Write([]byte(out[:n]))
			out = out[n:]
		}
		w.flush()
		return sc.result()
	}
	// Start time 1.0; open GOP: the packet after keyframe 3.0 in decode
	// order is shown at 2.9, so cutting before keyframe 2.0 keeps nothing
	// shown before 2.0 on the wrong side, but before 3.0 it would.
	idx, err := scan("packet,0.900000,__\npacket,1.000000,K_\npacket,1.500000,__\npacket,2.000000,K_\npacket,3.000000,K_\n" +
		"packet,2.900000,__\npacket,3.100000,__\nformat,1.000000")
	require.NoError(t, err)
	require.Equal(t, 7, idx.Packets)
	require.InDelta(t, -0.1, idx.First, 1e-9)
	require.Len(t, idx.Keyframes, 3)
	for i, want := range []media.Keyframe{{Time: 0, Earliest: 0}, {Time: 1, Earliest: 1}, {Time: 2, Earliest: 1.9}} {
		require.InDelta(t, want.Time, idx.Keyframes[i].Time, 1e-9, "keyframe %d", i)
		require.InDelta(t, want.Earliest, idx.Keyframes[i].Earliest, 1e-9, "keyframe %d", i)
	}

	for name, out := range map[string]string{
		"no timestamp":       "packet,0.000000,K_\npacket,N/A,__\nformat,0.000000\n",
		"no keyframe":        "packet,0.000000,__\nformat,0.000000\n",
		"keyframes go back":  "packet,1.000000,K_\npacket,0.500000,K_\nformat,0.000000\n",
		"no packets at all:": "format,0.000000\n",
	} {
		_, err := scan(out)
		require.ErrorIs(t, err, ErrNoKeyframeIndex, name)
	}
}

func TestSplitCuts(t *testing.T) {
	t.Parallel()
	kf := []media.Keyframe{{Time: 0}, {Time: 1}, {Time: 2}, {Time: 3}, {Time: 4}}
	// Overlapping neighbours alternate between two outputs; a span that
	// starts where the output's last one ended needs no second cut.
	cuts, at := SplitCuts([]media.Span{{From: 0, To: 2}, {From: 1, To: 3}, {From: 2, To: 4}, {From: 3, To: 5}}, kf)
	require.Equal(t, [][]float64{{1.5, 3.5}, {0.5, 2.5}}, cuts)
	require.Equal(t, [][2]int{{0, 0}, {1, 1}, {0, 1}, {1, 2}}, at)

	cuts, at = SplitCuts([]media.Span{{From: 0, To: 5}}, kf)
	require.Equal(t, [][]float64{{}}, cuts, "one piece: the whole stream")
	require.Equal(t, [][2]int{{0, 0}}, at)
}

// TestSplitPieces cuts a clip whose keyframes do not fall on chunk
// boundaries (every 1.5 s, chunks of 1 s, B-frames) into pieces and checks
// that every chunk encoded from its piece has exactly the frames of the
// same chunk encoded from the whole source, and that the packaged result
// has every frame of the source once.
func TestSplitPieces(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	ctx := context.Background()
	srcPath := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 6.4, FPS: 30, GOP: 45, Preset: "veryfast"})
	src, err := r.Probe(ctx, srcPath)
	require.NoError(t, err)
	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.SegmentsPerChunk = 1, 1
	cfg.Heights = []int{180, 120}
	whole, err := media.NewPlan(src, cfg)
	require.NoError(t, err)
	require.Len(t, whole.Chunks, 6)

	idx, err := r.Keyframes(ctx, srcPath)
	require.NoError(t, err)
	require.Len(t, idx.Keyframes, 5, "a keyframe every 45 frames")
	spans, use := whole.PieceSpans(idx.Keyframes)
	require.Greater(t, len(spans), 2)
	dir := t.TempDir()
	cuts, at := SplitCuts(spans, idx.Keyframes)
	require.Len(t, cuts, 3, "a GOP longer than a chunk: up to three pieces overlap")
	require.NoError(t, r.Run(ctx, SplitArgs(srcPath, cuts, dir), nil))

	split := whole
	split.Chunks = append([]media.Chunk(nil), whole.Chunks...)
	var pieceBytes int64
	for i, s := range spans {
		file := SplitFile(dir, at[i][0], at[i][1])
		got, key, err := r.FirstPacket(ctx, file)
		require.NoError(t, err)
		want := idx.Keyframes[s.From].Time
		require.True(t, key, "piece %d starts with a keyframe", i)
		require.InDelta(t, want, got, 0.001, "piece %d keeps the source's timestamps", i)
		st, err := os.Stat(file)
		require.NoError(t, err)
		pieceBytes += st.Size()
		split.Pieces = append(split.Pieces, media.Piece{Start: want, Offset: got - want, Size: st.Size()})
	}
	for i := range split.Chunks {
		split.Chunks[i].Piece = use[i]
	}
	require.Positive(t, pieceBytes)

	work := t.TempDir()
	for _, c := range split.Chunks {
		a, b := filepath.Join(work, fmt.Sprintf("whole%d", c.Index)), filepath.Join(work, fmt.Sprintf("piece%d", c.Index))
		require.NoError(t, os.MkdirAll(a, 0o755))
		require.NoError(t, os.MkdirAll(b, 0o755))
		piece := SplitFile(dir, at[c.Piece][0], at[c.Piece][1])
		require.NoError(t, r.Run(ctx, ChunkArgs(whole, whole.Chunks[c.Index], srcPath, a), nil))
		require.NoError(t, r.Run(ctx, ChunkArgs(split, c, piece, b), nil))
		for _, v := range split.Video {
			require.Equal(t, frameMD5(t, filepath.Join(a, v.ID+".ts")), frameMD5(t, filepath.Join(b, v.ID+".ts")),
				"chunk %d %s: the same frames from the piece as from the whole source", c.Index, v.ID)
		}
		tiles, err := filepath.Glob(filepath.Join(b, "tile_*.jpg"))
		require.NoError(t, err)
		_, n := split.TilesIn(c)
		require.Len(t, tiles, n, "chunk %d storyboard tiles", c.Index)
	}

	inputs := joinChunks(t, split, work, "piece")
	out := t.TempDir()
	require.NoError(t, MakeRenditionDirs(out, split.Renditions()))
	require.NoError(t, r.Run(ctx, PackageArgs(split, inputs, out), nil))
	srcFrames := countFrames(t, srcPath)
	require.Equal(t, 192, srcFrames)
	for _, v := range split.Video {
		playlist := filepath.Join(out, v.ID, "index.m3u8")
		require.Equal(t, srcFrames, countFrames(t, playlist), "%s frame count", v.ID)
		durs, _ := readPlaylist(t, playlist)
		total := 0.0
		for _, d := range durs {
			total += d
		}
		require.InDelta(t, src.Duration, total, 1.0/30, "%s duration", v.ID)
	}
	// Same size as the source: a frame duplicated or dropped at a join
	// would show as a PSNR collapse on the frames after it.
	require.Greater(t, minPSNR(t, filepath.Join(out, split.Video[0].ID, "index.m3u8"), srcPath), 30.0)
}

// TestSplitSingleKeyframe: a stream with one keyframe gives one span, the
// whole stream, which SplitArgs writes as one file.
func TestSplitSingleKeyframe(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	ctx := context.Background()
	srcPath := testutil.MakeClip(t, testutil.ClipOptions{Width: 160, Height: 90, Seconds: 3, GOP: 100000})
	idx, err := r.Keyframes(ctx, srcPath)
	require.NoError(t, err)
	require.Len(t, idx.Keyframes, 1)
	src, err := r.Probe(ctx, srcPath)
	require.NoError(t, err)
	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.SegmentsPerChunk = 1, 1
	plan, err := media.NewPlan(src, cfg)
	require.NoError(t, err)
	spans, use := plan.PieceSpans(idx.Keyframes)
	require.Equal(t, []media.Span{{From: 0, To: 1}}, spans)
	require.Equal(t, []int{0, 0, 0}, use)
	dir := t.TempDir()
	cuts, at := SplitCuts(spans, idx.Keyframes)
	require.NoError(t, r.Run(ctx, SplitArgs(srcPath, cuts, dir), nil))
	require.Equal(t, 90, countFrames(t, SplitFile(dir, at[0][0], at[0][1])))
}

func frameMD5(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", path, "-map", "0:v", "-f", "framemd5", "-").CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out) // timestamps, sizes and hashes of every frame

}

func countFrames(t *testing.T, path string) int {
	t.Helper()
	f := strings.Fields(ffprobeOut(t, "-select_streams", "v", "-count_frames", "-show_entries", "stream=nb_read_frames",
		"-of", "csv=p=0", path)) // the hls demuxer lists the stream twice
	require.NotEmpty(t, f)
	n, err := strconv.Atoi(f[len(f)-1])
	require.NoError(t, err)
	return n
}
