package ffmpeg

import (
	"context"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/kinema/kinema/internal/testutil"
	"github.com/stretchr/testify/require"
)

func TestStoryboardLayout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		duration   float64
		interval   float64
		cols, rows int
	}{
		{0, 1, 1, 1},
		{0.5, 1, 1, 1},
		{6, 1, 6, 1},
		{45, 1, 10, 5},
		{100, 1, 10, 10},
		{101, 2, 10, 6},
		{600, 10, 10, 6},
		{3600, 60, 10, 6},
		{7 * 3600, 300, 10, 9},
		{100 * 3600, 3600, 10, 10},
	}
	for _, tt := range tests {
		interval, cols, rows := StoryboardLayout(tt.duration)
		require.Equal(t, tt.interval, interval, "duration %v", tt.duration)
		require.Equal(t, [2]int{tt.cols, tt.rows}, [2]int{cols, rows}, "duration %v", tt.duration)
		require.LessOrEqual(t, cols*rows, 100)
	}
}

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

	interval, cols, rows := StoryboardLayout(3)
	sprite := filepath.Join(dir, "sprite.jpg")
	require.NoError(t, r.Run(context.Background(), StoryboardArgs(src, interval, 64, cols, rows, sprite), nil))
	requireJPEG(t, sprite, 64*cols, 36*rows)
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
