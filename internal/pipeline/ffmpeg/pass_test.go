package ffmpeg

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// TestChunkPassesMatchOnePass encodes a chunk in two passes (the lowest
// rungs, beside the first frames of the others, then the others with the
// storyboard tiles) and in one pass, and requires the same bytes for every
// rung, the same tiles, and first frames that package into the init
// segment of the whole rung: it is published, and its codecs announced in
// the planned manifests, before the rung is encoded.
func TestChunkPassesMatchOnePass(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	ctx := context.Background()
	srcPath := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 3, FPS: 30})
	src, err := r.Probe(ctx, srcPath)
	require.NoError(t, err)
	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.SegmentsPerChunk = 1, 2
	cfg.Heights = []int{360, 240, 144}
	plan, err := media.NewPlan(src, cfg)
	require.NoError(t, err)
	require.Len(t, plan.Video, 3)
	c := plan.Chunks[0]

	one := t.TempDir()
	require.NoError(t, r.Run(ctx, ChunkArgs(plan, c, srcPath, one), nil))
	two, headers := t.TempDir(), t.TempDir()
	// The first frames of the others beside the first pass, as the first
	// chunk makes them.
	require.NoError(t, r.Run(ctx, ChunkPassArgs(plan, c, srcPath, two, ChunkPass{Rungs: []int{1, 2}, HeaderDir: headers, HeadersOnly: true}), nil))
	entries, err := os.ReadDir(two)
	require.NoError(t, err)
	require.Empty(t, entries, "the first frames' pass encodes nothing else")
	require.NoError(t, r.Run(ctx, ChunkPassArgs(plan, c, srcPath, two, ChunkPass{Rungs: []int{1, 2}, NoTiles: true}), nil))
	tiles, err := filepath.Glob(filepath.Join(two, "tile_*.jpg"))
	require.NoError(t, err)
	require.Empty(t, tiles, "the first pass makes no tiles")
	_, err = os.Stat(filepath.Join(two, ChunkFile(plan.Video[0])))
	require.ErrorIs(t, err, os.ErrNotExist, "the first pass does not encode the top rung")
	require.NoError(t, r.Run(ctx, ChunkPassArgs(plan, c, srcPath, two, ChunkPass{Rungs: []int{0}}), nil))

	for _, v := range plan.Video {
		a, err := os.ReadFile(filepath.Join(one, ChunkFile(v)))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(two, ChunkFile(v)))
		require.NoError(t, err)
		require.True(t, bytes.Equal(a, b), "rendition %s differs between one pass and two", v.ID)
	}
	for _, dir := range []string{one, two} {
		got, err := filepath.Glob(filepath.Join(dir, "tile_*.jpg"))
		require.NoError(t, err)
		require.NotEmpty(t, got)
		tiles = append(tiles, strings.Join(baseNames(got), ","))
	}
	require.Equal(t, tiles[0], tiles[1])

	pkg := t.TempDir()
	require.NoError(t, MakeRenditionDirs(pkg, plan.Video))
	var inputs []string
	for _, v := range plan.Video {
		inputs = append(inputs, filepath.Join(one, ChunkFile(v)))
	}
	require.NoError(t, r.Run(ctx, PackageArgs(plan, inputs, pkg), nil))
	init, err := os.ReadFile(filepath.Join(pkg, plan.Video[0].ID, "init.mp4"))
	require.NoError(t, err)
	want, err := CodecsFromInit(init)
	require.NoError(t, err)
	require.Contains(t, want, "avc1.")
	hpkg := t.TempDir()
	top := plan
	top.Video = plan.Video[:1]
	require.NoError(t, MakeRenditionDirs(hpkg, top.Video))
	require.NoError(t, r.Run(ctx, PackageArgs(top, []string{filepath.Join(headers, ChunkFile(plan.Video[0]))}, hpkg), nil))
	header, err := os.ReadFile(filepath.Join(hpkg, plan.Video[0].ID, "init.mp4"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(init, header), "the init segment of the first frames differs from the whole chunk's")
	_, err = os.Stat(filepath.Join(headers, ChunkFile(plan.Video[1])))
	require.ErrorIs(t, err, os.ErrNotExist, "no header for an encoded rung")
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// TestPauserStopsAndResumesFFmpeg: an ffmpeg run under a Pauser's context
// makes no progress while paused, goes on after Resume, and a paused run
// still ends when its context is cancelled.
func TestPauserStopsAndResumesFFmpeg(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	p := NewPauser()
	ctx, cancel := context.WithCancel(p.Context(context.Background()))
	defer cancel()
	var progress atomic.Int64
	done := make(chan error, 1)
	go func() {
		// -re: real time, so progress keeps coming for as long as it runs.
		done <- r.Run(ctx, []string{"-re", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=25", "-f", "null", "-"},
			func(Progress) { progress.Add(1) })
	}()
	testutil.PollUntil(t, 30*time.Second, "ffmpeg reports progress", func() bool { return progress.Load() > 1 })
	p.Pause()
	p.Pause()               // nested
	time.Sleep(time.Second) // a report already on its way may still arrive
	before := progress.Load()
	time.Sleep(2 * time.Second)
	require.Equal(t, before, progress.Load(), "no progress while paused")
	p.Resume()
	time.Sleep(time.Second)
	require.Equal(t, before, progress.Load(), "still paused: one Resume for two Pauses")
	p.Resume()
	testutil.PollUntil(t, 30*time.Second, "progress after Resume", func() bool { return progress.Load() > before+1 })
	p.Pause()
	cancel()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("a paused ffmpeg did not end on cancel")
	}
}
