package thumbnail

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage/local"
	"github.com/kinema/kinema/internal/testutil"
)

// makeImage has ffmpeg draw a test picture of w×h in the format of ext
// (jpg, png, webp; "lossless.webp" for VP8L) and returns its bytes.
func makeImage(t *testing.T, w, h int, ext string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "img."+strings.TrimPrefix(ext, "lossless."))
	args := []string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=" + strconv.Itoa(w) + "x" + strconv.Itoa(h), "-frames:v", "1"}
	switch ext {
	case "webp":
		args = append(args, "-c:v", "libwebp")
	case "lossless.webp":
		args = append(args, "-c:v", "libwebp", "-lossless", "1")
	case "jpg":
		// A comment the re-encode must not carry over.
		args = append(args, "-metadata", "comment=SECRET-EXIF-LIKE-NOTE")
	}
	b, err := exec.Command("ffmpeg", append(args, out)...).CombinedOutput()
	require.NoError(t, err, string(b))
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	return data
}

func probeImage(t *testing.T, data []byte) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "out.jpg")
	require.NoError(t, os.WriteFile(name, data, 0o644))
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", name).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

func refused(t *testing.T, err error, status int, msg string) {
	t.Helper()
	var ie *ImageError
	require.True(t, errors.As(err, &ie), "want an ImageError, got %v", err)
	require.Equal(t, status, ie.HTTPStatus(), ie.Msg)
	require.Contains(t, ie.Msg, msg)
}

// TestPosterFromImage: JPEG, PNG and WebP uploads come out as fresh JPEGs
// made by ffmpeg (never the uploaded bytes, no metadata, at most
// PosterWidth wide); hostile files are refused with the right status.
func TestPosterFromImage(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	dir := t.TempDir()
	store, err := local.New(filepath.Join(dir, "store"))
	require.NoError(t, err)
	g, err := New(store, ffmpeg.NewRunner("", "", nil), filepath.Join(dir, "cache"), 2)
	require.NoError(t, err)
	ctx := context.Background()

	for _, tc := range []struct {
		ext  string
		w, h int
		want string
	}{
		{"jpg", 1920, 1080, "mjpeg,1280,720"},
		{"png", 640, 360, "mjpeg,640,360"},
		{"webp", 480, 270, "mjpeg,480,270"},
		{"lossless.webp", 320, 240, "mjpeg,320,240"},
	} {
		in := makeImage(t, tc.w, tc.h, tc.ext)
		info, err := CheckImage(in)
		require.NoError(t, err, tc.ext)
		require.Equal(t, [2]int{tc.w, tc.h}, [2]int{info.Width, info.Height}, tc.ext)
		out, err := g.PosterFromImage(ctx, in)
		require.NoError(t, err, tc.ext)
		require.Equal(t, tc.want, probeImage(t, out), tc.ext)
		require.NotEqual(t, in, out)
		require.NotContains(t, string(out), "SECRET-EXIF-LIKE-NOTE", "metadata is not carried over")
	}

	jpg := makeImage(t, 640, 360, "jpg")
	png := makeImage(t, 640, 360, "png")
	webp := makeImage(t, 640, 360, "webp")

	// Oversized.
	big := append(append([]byte{}, jpg...), make([]byte, MaxPosterBytes)...)
	_, err = g.PosterFromImage(ctx, big)
	refused(t, err, http.StatusRequestEntityTooLarge, "at most 8 MiB")

	// Wrong types, whatever their name would say.
	for _, body := range []string{
		"<html><body><script>alert(1)</script></body></html>",
		`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script></svg>`,
		"just some text renamed poster.jpg\n",
		"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
		"",
	} {
		_, err = g.PosterFromImage(ctx, []byte(body))
		refused(t, err, http.StatusUnsupportedMediaType, "JPEG, PNG or WebP")
	}

	// Huge declared dimensions: refused from the header, before anything
	// decodes the picture. The runner here has no ffmpeg at all, so an
	// attempt to decode would fail differently.
	noFF, err := New(store, ffmpeg.NewRunner(filepath.Join(dir, "no-ffmpeg"), "", nil), filepath.Join(dir, "cache2"), 1)
	require.NoError(t, err)
	hugePNG := append([]byte{}, png...)
	binary.BigEndian.PutUint32(hugePNG[16:20], 100_000) // IHDR width
	binary.BigEndian.PutUint32(hugePNG[20:24], 100_000) // IHDR height
	binary.BigEndian.PutUint32(hugePNG[29:33], crc32.ChecksumIEEE(hugePNG[12:29]))
	hugeJPEG := append([]byte{}, jpg...)
	sof := bytes.Index(hugeJPEG, []byte{0xFF, 0xC0})
	if sof < 0 {
		sof = bytes.Index(hugeJPEG, []byte{0xFF, 0xC2})
	}
	require.Positive(t, sof)
	binary.BigEndian.PutUint16(hugeJPEG[sof+5:], 60_000) // height
	binary.BigEndian.PutUint16(hugeJPEG[sof+7:], 60_000) // width
	tallPNG := append([]byte{}, png...)
	binary.BigEndian.PutUint32(tallPNG[16:20], 8000)
	binary.BigEndian.PutUint32(tallPNG[20:24], 8000) // each side allowed, 64 megapixels not
	binary.BigEndian.PutUint32(tallPNG[29:33], crc32.ChecksumIEEE(tallPNG[12:29]))
	hugeWebP := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\xff\x3f\x00\xff\x3f\x00")
	hugeWebP = append(hugeWebP, make([]byte, 64)...)
	binary.LittleEndian.PutUint32(hugeWebP[4:8], uint32(len(hugeWebP)-8))
	for name, data := range map[string][]byte{"png": hugePNG, "jpeg": hugeJPEG, "8000x8000 png": tallPNG, "webp": hugeWebP} {
		_, err = noFF.PosterFromImage(ctx, data)
		require.Error(t, err, name)
		refused(t, err, http.StatusBadRequest, "a poster may be at most 8192 pixels")
	}
	tiny := makeImage(t, 8, 8, "png")
	_, err = noFF.PosterFromImage(ctx, tiny)
	refused(t, err, http.StatusBadRequest, "at least 16 pixels")
	anim := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x02\x00\x00\x00\x3f\x00\x00\x3f\x00\x00")
	anim = append(anim, make([]byte, 64)...)
	binary.LittleEndian.PutUint32(anim[4:8], uint32(len(anim)-8))
	_, err = noFF.PosterFromImage(ctx, anim)
	refused(t, err, http.StatusUnsupportedMediaType, "Animated WebP")

	// Truncated: cut in the middle; a JPEG cut and given back its end
	// marker gets past the header checks and is refused by the decoder.
	_, err = g.PosterFromImage(ctx, jpg[:len(jpg)/2])
	refused(t, err, http.StatusBadRequest, "truncated")
	cut := append(append([]byte{}, jpg[:len(jpg)/2]...), 0xFF, 0xD9)
	_, err = g.PosterFromImage(ctx, cut)
	refused(t, err, http.StatusBadRequest, "cannot be decoded")
	_, err = g.PosterFromImage(ctx, png[:len(png)/2])
	refused(t, err, http.StatusBadRequest, "truncated")
	_, err = g.PosterFromImage(ctx, webp[:len(webp)/2])
	refused(t, err, http.StatusBadRequest, "truncated")
	_, err = g.PosterFromImage(ctx, png[:40])
	refused(t, err, http.StatusBadRequest, "truncated")
}

// TestPosterNames: a fresh name per change, and only such names are valid.
func TestPosterNames(t *testing.T) {
	t.Parallel()
	a, b := NewPosterName(), NewPosterName()
	require.NotEqual(t, a, b)
	require.True(t, ValidPosterName(a))
	for _, bad := range []string{"poster.jpg", "master.m3u8", "poster-../../x.jpg", "poster-0123456789abcdef.m3u8", "poster-0123456789abcdeg.jpg"} {
		require.False(t, ValidPosterName(bad), bad)
	}
}
