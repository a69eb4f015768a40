package thumbnail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
)

// Limits of an uploaded poster image. The dimensions are read from the
// image's header and checked before anything decodes it, so a small file
// that declares a huge picture (a decompression bomb) costs nothing.
const (
	MaxPosterBytes  = 8 << 20
	MaxPosterSide   = 8192
	MaxPosterPixels = 40_000_000
	MinPosterSide   = 16
	// PosterWidth is the widest poster published (frames and images alike).
	PosterWidth = 1280
)

// ImageError is an uploaded image refused, with the HTTP status that says
// why (413 too big, 415 not a JPEG/PNG/WebP, 400 unreadable or out of
// bounds) and a sentence for the uploader.
type ImageError struct {
	Status int
	Msg    string
}

func (e *ImageError) Error() string { return e.Msg }

// HTTPStatus is the status to answer the upload with.
func (e *ImageError) HTTPStatus() int { return e.Status }

func imageErr(status int, format string, a ...any) error {
	return &ImageError{Status: status, Msg: fmt.Sprintf(format, a...)}
}

// ImageInfo is what CheckImage read from an image's header.
type ImageInfo struct {
	Format        string // "jpeg", "png" or "webp"
	Width, Height int
}

// CheckImage sniffs data as JPEG, PNG or WebP (by content, whatever the
// name or declared type), reads its dimensions from the header without
// decoding the picture, checks them against the limits and checks that
// the file is complete. It returns an *ImageError for anything refused.
func CheckImage(data []byte) (ImageInfo, error) {
	if len(data) > MaxPosterBytes {
		return ImageInfo{}, imageErr(http.StatusRequestEntityTooLarge, "A poster image may be at most %d MiB.", MaxPosterBytes>>20)
	}
	var info ImageInfo
	var err error
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		info.Format = "jpeg"
		var c image.Config
		if c, err = jpeg.DecodeConfig(bytes.NewReader(data)); err == nil {
			info.Width, info.Height = c.Width, c.Height
		}
		// A complete JPEG ends with its EOI marker (some writers pad a little after it).
		if err == nil && bytes.LastIndex(data[max(len(data)-1024, 0):], []byte{0xFF, 0xD9}) < 0 {
			err = errors.New("no end of image marker")
		}
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		info.Format = "png"
		var c image.Config
		if c, err = png.DecodeConfig(bytes.NewReader(data)); err == nil {
			info.Width, info.Height = c.Width, c.Height
		}
		if err == nil && !bytes.Contains(data[max(len(data)-64, 0):], []byte("IEND")) {
			err = errors.New("no IEND chunk")
		}
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		info.Format = "webp"
		info.Width, info.Height, err = webpSize(data)
	default:
		return ImageInfo{}, imageErr(http.StatusUnsupportedMediaType, "A poster must be a JPEG, PNG or WebP image.")
	}
	var ie *ImageError
	if errors.As(err, &ie) {
		return ImageInfo{}, err
	}
	if err != nil {
		return ImageInfo{}, imageErr(http.StatusBadRequest, "The %s image cannot be read (%v); it is probably truncated or damaged.", strings.ToUpper(info.Format), err)
	}
	if info.Width > MaxPosterSide || info.Height > MaxPosterSide || int64(info.Width)*int64(info.Height) > MaxPosterPixels {
		return ImageInfo{}, imageErr(http.StatusBadRequest, "The image is %d×%d pixels; a poster may be at most %d pixels on a side and %d megapixels.",
			info.Width, info.Height, MaxPosterSide, MaxPosterPixels/1_000_000)
	}
	if info.Width < MinPosterSide || info.Height < MinPosterSide {
		return ImageInfo{}, imageErr(http.StatusBadRequest, "The image is %d×%d pixels; a poster must be at least %d pixels on a side.",
			info.Width, info.Height, MinPosterSide)
	}
	return info, nil
}

// webpSize reads a WebP's canvas size from its first chunk (lossy VP8,
// lossless VP8L or the extended VP8X header) and checks the RIFF length.
// Animated WebP is refused: a poster is one picture.
func webpSize(d []byte) (int, int, error) {
	if riff := int64(binary.LittleEndian.Uint32(d[4:8])) + 8; riff > int64(len(d)) {
		return 0, 0, fmt.Errorf("RIFF says %d bytes, the file has %d", riff, len(d))
	}
	if len(d) < 30 {
		return 0, 0, errors.New("too short")
	}
	switch string(d[12:16]) {
	case "VP8 ":
		if d[23] != 0x9d || d[24] != 0x01 || d[25] != 0x2a {
			return 0, 0, errors.New("bad VP8 start code")
		}
		return int(binary.LittleEndian.Uint16(d[26:28]) & 0x3fff), int(binary.LittleEndian.Uint16(d[28:30]) & 0x3fff), nil
	case "VP8L":
		if d[20] != 0x2f {
			return 0, 0, errors.New("bad VP8L signature")
		}
		b := binary.LittleEndian.Uint32(d[21:25])
		return int(b&0x3fff) + 1, int(b>>14&0x3fff) + 1, nil
	case "VP8X":
		if d[20]&0x02 != 0 {
			return 0, 0, imageErr(http.StatusUnsupportedMediaType, "Animated WebP cannot be a poster; send a still image.")
		}
		w := int(d[24]) | int(d[25])<<8 | int(d[26])<<16
		h := int(d[27]) | int(d[28])<<8 | int(d[29])<<16
		return w + 1, h + 1, nil
	}
	return 0, 0, errors.New("unknown WebP chunk")
}

// PosterFromImage checks an uploaded image (CheckImage), then has ffmpeg
// decode it (only the sniffed format's demuxer, only the file protocol)
// and encode a fresh JPEG at most PosterWidth wide, without the upload's
// metadata: what is published is never the uploaded bytes. It returns the
// JPEG.
func (g *Generator) PosterFromImage(ctx context.Context, data []byte) ([]byte, error) {
	info, err := CheckImage(data)
	if err != nil {
		return nil, err
	}
	select {
	case g.sem <- struct{}{}:
		defer func() { <-g.sem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	work, err := os.MkdirTemp(g.dir, "work-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	in, out := filepath.Join(work, "in"), filepath.Join(work, "poster.jpg")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	if err := g.ff.Run(ctx, ffmpeg.PosterImageArgs(in, info.Format, PosterWidth, out), nil); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var exit *ffmpeg.ExitError
		if errors.As(err, &exit) {
			return nil, imageErr(http.StatusBadRequest, "The %s image cannot be decoded; it is probably truncated or damaged.", strings.ToUpper(info.Format))
		}
		return nil, err
	}
	jpg, err := os.ReadFile(out)
	if err != nil || len(jpg) == 0 {
		return nil, imageErr(http.StatusBadRequest, "The %s image holds no picture that can be decoded.", strings.ToUpper(info.Format))
	}
	return jpg, nil
}

// PosterAt makes a poster of video id's frame at t seconds from its
// published renditions (the best one up to PosterWidth) and returns the
// JPEG; ErrOutOfRange past the end, ErrNoVideo without a picture.
func (g *Generator) PosterAt(ctx context.Context, id string, renditions []media.Rendition, t float64) ([]byte, error) {
	width := 0
	for _, r := range renditions {
		if r.Type == media.KindVideo {
			width = max(width, r.Width)
		}
	}
	if width == 0 {
		return nil, ErrNoVideo
	}
	req, err := Request{Time: t, Width: max(min(width, PosterWidth), MinWidth), Format: "jpg"}.Normalize()
	if err != nil {
		return nil, err
	}
	name, err := g.Picture(ctx, id, renditions, req)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(name)
}

// NewPosterName returns a fresh file name for a published poster under
// media/<id>/: a new name per change, so caches of the old one never
// show it again.
func NewPosterName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "poster-" + hex.EncodeToString(b[:]) + ".jpg"
}

// ValidPosterName reports whether name is one NewPosterName could return,
// so that a catalog value never names another file of the video.
func ValidPosterName(name string) bool {
	hexPart, ok := strings.CutPrefix(name, "poster-")
	if !ok {
		return false
	}
	hexPart, ok = strings.CutSuffix(hexPart, ".jpg")
	if !ok || len(hexPart) != 16 {
		return false
	}
	_, err := hex.DecodeString(hexPart)
	return err == nil
}
