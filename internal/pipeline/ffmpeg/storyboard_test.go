package ffmpeg

import (
	"context"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
	"github.com/stretchr/testify/require"
)

func TestStoryboardVTT(t *testing.T) {
	t.Parallel()
	got := StoryboardVTT(5.5, 2, 160, 90, 2, "sprite.jpg")
	require.Equal(t, `WEBVTT

00:00:00.000 --> 00:00:02.000
sprite.jpg#xywh=0,0,160,90

00:00:02.000 --> 00:00:04.000
sprite.jpg#xywh=160,0,160,90

00:00:04.000 --> 00:00:05.500
sprite.jpg#xywh=0,90,160,90
`, got)
	require.Equal(t, "01:01:01.250", vttTime(3661.25))
}

func TestPosterAndStoryboard(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	// Anamorphic 160x180 with SAR 2:1 displays as 320x180 (16:9).
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 160, Height: 180, Seconds: 3, SAR: "2:1", Video: true})
	dir := t.TempDir()
	poster := filepath.Join(dir, "poster.jpg")
	require.NoError(t, r.Run(context.Background(), PosterArgs(src, 1, 160, poster), nil))
	requireJPEG(t, poster, 160, 90)

}

// TestStoryboardFromChunks: chunks render their share of the tiles while
// encoding, and SpriteArgs joins them in order into the sprite.
func TestStoryboardFromChunks(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 5, Video: true})
	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.SegmentsPerChunk = 1, 1 // 5 chunks, one tile each
	plan, err := media.NewPlan(media.Source{HasVideo: true, Width: 320, Height: 180, FPSNum: 30, FPSDen: 1, Duration: 5}, cfg)
	require.NoError(t, err)
	require.Equal(t, 5, plan.Storyboard.Tiles)
	tiles := t.TempDir()
	for _, c := range plan.Chunks {
		out := t.TempDir()
		require.NoError(t, r.Run(context.Background(), ChunkArgs(plan, c, src, out), nil))
		matches, _ := filepath.Glob(filepath.Join(out, "tile_*.jpg"))
		require.Len(t, matches, 1, "chunk %d renders its own tile", c.Index)
		for _, m := range matches {
			require.NoError(t, os.Rename(m, filepath.Join(tiles, filepath.Base(m))))
		}
	}
	sprite := filepath.Join(t.TempDir(), "sprite.jpg")
	require.NoError(t, r.Run(context.Background(), SpriteArgs(plan.Storyboard, tiles, sprite), nil))
	requireJPEG(t, sprite, 160*5, 90)
}

func requireJPEG(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	require.NoError(t, err)
	require.Equal(t, [2]int{w, h}, [2]int{cfg.Width, cfg.Height})
}
