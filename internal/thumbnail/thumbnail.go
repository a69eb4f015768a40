// Package thumbnail makes pictures of a published video on request: a
// frame at any time (JPEG or WebP, any width up to the video's) and short
// animated WebP previews, from the published renditions in the store (the
// init segment and the segments around the time asked, never the whole
// video), and keeps them in a bounded disk cache.
package thumbnail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
)

// Bounds of what may be asked.
const (
	MinWidth        = 16
	MaxWidth        = 1920
	MaxAnimated     = 6.0 // seconds of animated preview
	AnimatedFPS     = 10
	MaxAnimWidth    = 480
	DefaultWidth    = 320
	timeQuantum     = 0.1 // times are rounded to this, so caches hit
	maxCacheFiles   = 2000
	maxSegmentsRead = 3
)

// Errors callers map to HTTP statuses.
var (
	// ErrOutOfRange: the time is past the end, or the request out of bounds.
	ErrOutOfRange = errors.New("thumbnail: outside the video")
	// ErrNoVideo: the video has no picture (audio only) or no rendition.
	ErrNoVideo = errors.New("thumbnail: no video rendition")
)

// Request is one picture asked for.
type Request struct {
	Time  float64 // seconds; the start for animated
	End   float64 // animated only
	Width int
	// Format is "jpg", "webp" or "animated" (animated WebP).
	Format string
}

// Normalize bounds and rounds r; it returns ErrOutOfRange for what cannot
// be made.
func (r Request) Normalize() (Request, error) {
	if math.IsNaN(r.Time) || math.IsNaN(r.End) || r.Time < 0 || r.Time > 24*3600 {
		return r, ErrOutOfRange
	}
	if r.Width == 0 {
		r.Width = DefaultWidth
	}
	if r.Width < MinWidth || r.Width > MaxWidth {
		return r, ErrOutOfRange
	}
	r.Width &^= 1 // even
	r.Time = math.Round(r.Time/timeQuantum) * timeQuantum
	switch r.Format {
	case "jpg", "webp":
		r.End = 0
	case "animated":
		r.Width = min(r.Width, MaxAnimWidth)
		if r.End == 0 {
			r.End = r.Time + 3
		}
		r.End = math.Round(r.End/timeQuantum) * timeQuantum
		if r.End <= r.Time || r.End-r.Time > MaxAnimated+1e-9 {
			return r, ErrOutOfRange
		}
	default:
		return r, ErrOutOfRange
	}
	return r, nil
}

// Generator makes and caches pictures. Safe for concurrent use; at most
// `workers` ffmpeg runs at once, the others wait.
type Generator struct {
	store storage.Store
	ff    *ffmpeg.Runner
	dir   string
	sem   chan struct{}
	mu    sync.Mutex // the cache directory's trimming
}

// New returns a Generator reading media/<id>/ from store and caching in dir.
func New(store storage.Store, ff *ffmpeg.Runner, dir string, workers int) (*Generator, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return &Generator{store: store, ff: ff, dir: dir, sem: make(chan struct{}, max(workers, 1))}, nil
}

// Picture returns the path of the cached picture for r of video id
// (renditions as published), making it when needed. r must be normalized.
func (g *Generator) Picture(ctx context.Context, id string, renditions []media.Rendition, r Request) (string, error) {
	rend, ok := pick(renditions, r.Width)
	if !ok {
		return "", ErrNoVideo
	}
	r.Width = min(r.Width, rend.Width&^1)
	ext := ".jpg"
	if r.Format != "jpg" {
		ext = ".webp"
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%s/%.1f/%.1f/%d", id, rend.ID, r.Format, r.Time, r.End, r.Width)))
	name := filepath.Join(g.dir, hex.EncodeToString(sum[:12])+ext)
	if _, err := os.Stat(name); err == nil {
		return name, nil
	}
	select {
	case g.sem <- struct{}{}:
		defer func() { <-g.sem }()
	case <-ctx.Done():
		return "", ctx.Err()
	}
	if _, err := os.Stat(name); err == nil { // made while this one waited
		return name, nil
	}
	work, err := os.MkdirTemp(g.dir, "work-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	in, offset, err := g.fetch(ctx, id, rend.ID, r, work)
	if err != nil {
		return "", err
	}
	out := filepath.Join(work, "out"+ext)
	var args []string
	if r.Format == "animated" {
		args = ffmpeg.AnimatedArgs(in, offset, r.End-r.Time, AnimatedFPS, r.Width, out)
	} else {
		args = ffmpeg.ThumbnailArgs(in, offset, r.Width, r.Format == "webp", out)
	}
	if err := g.ff.Run(ctx, args, nil); err != nil {
		return "", fmt.Errorf("thumbnail of %s: %w", id, err)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		return "", ErrOutOfRange // no frame there (past the last one)
	}
	g.trim()
	return name, os.Rename(out, name)
}

// pick returns the smallest video rendition at least width wide, else the
// largest.
func pick(rs []media.Rendition, width int) (media.Rendition, bool) {
	var video []media.Rendition
	for _, r := range rs {
		if r.Type == media.KindVideo && r.Width > 0 {
			video = append(video, r)
		}
	}
	if len(video) == 0 {
		return media.Rendition{}, false
	}
	sort.Slice(video, func(i, j int) bool { return video[i].Width < video[j].Width })
	for _, r := range video {
		if r.Width >= width {
			return r, true
		}
	}
	return video[len(video)-1], true
}

// fetch writes the rendition's init segment and the media segments that
// hold [r.Time, r.End] into one file, and returns it with the offset of
// r.Time into it.
func (g *Generator) fetch(ctx context.Context, id, rid string, r Request, dir string) (string, float64, error) {
	prefix := "media/" + id + "/" + rid + "/"
	obj, err := g.store.Open(ctx, prefix+"index.m3u8")
	if err != nil {
		return "", 0, err
	}
	pl, err := manifest.ParseMediaPlaylist(io.LimitReader(obj, 4<<20))
	obj.Close()
	if err != nil {
		return "", 0, err
	}
	if r.Time >= pl.Duration() {
		return "", 0, ErrOutOfRange
	}
	end := max(r.End, r.Time)
	var keys []string
	var start, at float64 = -1, 0
	for _, s := range pl.Segments {
		segEnd := at + s.Duration
		if segEnd > r.Time && at <= end && len(keys) < maxSegmentsRead {
			if start < 0 {
				start = at
			}
			if strings.Contains(s.URI, "/") || strings.Contains(s.URI, "..") {
				return "", 0, fmt.Errorf("segment %q of %s/%s", s.URI, id, rid)
			}
			keys = append(keys, prefix+s.URI)
		}
		at = segEnd
	}
	if len(keys) == 0 {
		return "", 0, ErrOutOfRange
	}
	if pl.MapURI == "" || strings.Contains(pl.MapURI, "/") {
		return "", 0, fmt.Errorf("rendition %s/%s has no usable init segment", id, rid)
	}
	joined := filepath.Join(dir, "in.mp4")
	f, err := os.Create(joined)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	for _, key := range append([]string{prefix + pl.MapURI}, keys...) {
		obj, err := g.store.Open(ctx, key)
		if err != nil {
			return "", 0, err
		}
		_, err = io.Copy(f, obj)
		obj.Close()
		if err != nil {
			return "", 0, err
		}
	}
	return joined, r.Time - start, f.Close()
}

// trim keeps the cache under maxCacheFiles by removing the oldest half
// when it is full.
func (g *Generator) trim() {
	g.mu.Lock()
	defer g.mu.Unlock()
	entries, err := os.ReadDir(g.dir)
	if err != nil || len(entries) < maxCacheFiles {
		return
	}
	type file struct {
		name string
		mod  int64
	}
	var files []file
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !e.IsDir() {
			files = append(files, file{e.Name(), info.ModTime().UnixNano()})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mod < files[j].mod })
	for _, f := range files[:len(files)/2] {
		_ = os.Remove(filepath.Join(g.dir, f.name))
	}
}
