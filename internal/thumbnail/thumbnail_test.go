package thumbnail

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage/local"
	"github.com/kinema/kinema/internal/testutil"
)

// TestPictures: frames as JPEG and WebP at a time and width, an animated
// WebP, made from a published fMP4 rendition; bounds refused; cached.
func TestPictures(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	dir := t.TempDir()
	store, err := local.New(filepath.Join(dir, "store"))
	require.NoError(t, err)
	rdir := filepath.Join(dir, "store", "media", "vid", "v0")
	require.NoError(t, os.MkdirAll(rdir, 0o755))
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=8",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p",
		"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
		"-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", filepath.Join(rdir, "seg_%05d.m4s"),
		filepath.Join(rdir, "index.m3u8")).CombinedOutput()
	require.NoError(t, err, string(out))
	g, err := New(store, ffmpeg.NewRunner("", "", nil), filepath.Join(dir, "cache"), 2)
	require.NoError(t, err)
	rs := []media.Rendition{{ID: "v0", Type: media.KindVideo, Width: 640, Height: 360}, {ID: "a0", Type: media.KindAudio}}
	ctx := context.Background()

	probe := func(path string) string {
		out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height",
			"-of", "csv=p=0", path).Output()
		require.NoError(t, err)
		return strings.TrimSpace(string(out))
	}
	for _, tc := range []struct {
		req  Request
		want string
	}{
		{Request{Time: 5.04, Width: 320, Format: "jpg"}, "mjpeg,320,180"},
		{Request{Time: 0, Width: 160, Format: "webp"}, "webp,160,90"},
		{Request{Time: 7.5, Width: 1920, Format: "jpg"}, "mjpeg,640,360"},  // never above the rendition
		{Request{Time: 3, End: 5, Width: 320, Format: "animated"}, "webp"}, // ffmpeg 5.1 cannot decode animated WebP: size checked below
	} {
		r, err := tc.req.Normalize()
		require.NoError(t, err)
		path, err := g.Picture(ctx, "vid", rs, r)
		require.NoError(t, err, "%+v", tc.req)
		require.Contains(t, probe(path), tc.want, "%+v", tc.req) // animated webp: ffprobe may not decode it
		again, err := g.Picture(ctx, "vid", rs, r)
		require.NoError(t, err)
		require.Equal(t, path, again, "cached")
	}
	head := func(path string) string {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		return string(b[:16])
	}
	r, _ := Request{Time: 3, End: 5, Format: "animated"}.Normalize()
	path, err := g.Picture(ctx, "vid", rs, r)
	require.NoError(t, err)
	require.Equal(t, "RIFF", head(path)[:4])
	data := mustRead(t, path)
	require.Contains(t, data, "ANIM", "an animated WebP")
	require.Equal(t, "VP8X", data[12:16])
	w := 1 + (int(data[24]) | int(data[25])<<8 | int(data[26])<<16)
	h := 1 + (int(data[27]) | int(data[28])<<8 | int(data[29])<<16)
	require.Equal(t, [2]int{320, 180}, [2]int{w, h}, "default width 320")

	_, err = g.Picture(ctx, "vid", rs, Request{Time: 9, Width: 320, Format: "jpg"})
	require.ErrorIs(t, err, ErrOutOfRange, "past the end")
	_, err = g.Picture(ctx, "vid", rs[1:], Request{Time: 1, Width: 320, Format: "jpg"})
	require.ErrorIs(t, err, ErrNoVideo)
	for _, bad := range []Request{
		{Time: -1, Format: "jpg"}, {Time: 1, Width: 4000, Format: "jpg"}, {Time: 1, Width: 8, Format: "jpg"},
		{Time: 1, Format: "gif"}, {Time: 1, End: 30, Format: "animated"}, {Time: 5, End: 4, Format: "animated"},
	} {
		_, err := bad.Normalize()
		require.ErrorIs(t, err, ErrOutOfRange, "%+v", bad)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
