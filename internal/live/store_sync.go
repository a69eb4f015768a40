package live

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/storage"
)

// storePrefix is where a stream's live output lives in the store.
func storePrefix(id string) string { return "live/" + id + "/" }

// openOutput opens a stream's output file: this node's own copy when it
// runs (or ran) the broadcast, else the store's, which every API node on
// the same store shares.
func (s *Service) openOutput(ctx context.Context, id, name string) (io.ReadSeekCloser, time.Time, error) {
	f, err := os.Open(filepath.Join(s.cfg.Dir, "out", id, name))
	if err == nil {
		fi, err := f.Stat()
		if err == nil && fi.Mode().IsRegular() {
			return f, fi.ModTime(), nil
		}
		f.Close()
	}
	if s.cfg.Store == nil {
		return nil, time.Time{}, os.ErrNotExist
	}
	obj, err := s.cfg.Store.Open(ctx, storePrefix(id)+name)
	if err != nil {
		return nil, time.Time{}, err
	}
	return obj, obj.Info().ModTime, nil
}

// syncInterval is how often a broadcast's output is copied to the store: a
// small part of a segment, so a node reading the store is at most this
// much behind the ingest node.
const syncInterval = 200 * time.Millisecond

// storeSync copies a broadcast's output directory to the store until done
// closes, then once more (the final manifests). Segments are copied once,
// and only after a playlist lists them (ffmpeg lists a segment once it is
// complete); manifests are copied after the segments they name, so a
// reader of the store never sees a playlist naming a missing segment.
type storeSync struct {
	store    storage.Store
	prefix   string
	dir      string
	copied   map[string]bool   // segments and init segments
	manifest map[string][]byte // last copied content
}

func newStoreSync(store storage.Store, id, dir string) *storeSync {
	return &storeSync{store: store, prefix: storePrefix(id), dir: dir, copied: map[string]bool{}, manifest: map[string][]byte{}}
}

func (y *storeSync) run(ctx context.Context, done <-chan struct{}, log interface{ Warn(string, ...any) }) {
	t := time.NewTicker(syncInterval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-done:
			if err := y.pass(ctx); err != nil {
				log.Warn("live output: final copy to the store failed", "err", err)
			}
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := y.pass(ctx); err != nil && !failing {
			log.Warn("live output: copy to the store failed; other nodes lag until it works again", "err", err)
			failing = true
		} else if err == nil {
			failing = false
		}
	}
}

var mapURI = regexp.MustCompile(`URI="([^"]+)"`)

// pass copies what changed since the last pass.
func (y *storeSync) pass(ctx context.Context) error {
	// Read every manifest first, the DASH one before the HLS playlists
	// (ffmpeg writes it first), so the segments named by this snapshot are
	// all listed in the media playlists read after it.
	names := []string{mpdName, masterName}
	playlists, _ := filepath.Glob(filepath.Join(y.dir, "media_*.m3u8"))
	for _, p := range playlists {
		names = append(names, filepath.Base(p))
	}
	snap := map[string][]byte{}
	var order []string
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(y.dir, n))
		if err != nil {
			continue
		}
		snap[n] = b
		order = append(order, n)
	}
	for _, n := range order {
		if !strings.HasPrefix(n, "media_") {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(snap[n]))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			var ref string
			switch {
			case strings.HasPrefix(line, "#EXT-X-MAP:"):
				if m := mapURI.FindStringSubmatch(line); m != nil {
					ref = m[1]
				}
			case line != "" && !strings.HasPrefix(line, "#"):
				ref = line
			}
			if ref == "" || y.copied[ref] || !safeName(ref) {
				continue
			}
			if err := y.put(ctx, ref, nil); err != nil {
				return err
			}
			y.copied[ref] = true
		}
	}
	// Media playlists, then the multivariant one, then the MPD.
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		if bytes.Equal(y.manifest[n], snap[n]) {
			continue
		}
		if err := y.put(ctx, n, snap[n]); err != nil {
			return err
		}
		y.manifest[n] = snap[n]
	}
	return nil
}

func (y *storeSync) put(ctx context.Context, name string, data []byte) error {
	if data != nil {
		_, err := y.store.Put(ctx, y.prefix+name, bytes.NewReader(data))
		return err
	}
	f, err := os.Open(filepath.Join(y.dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil // listed but gone (cannot happen while every segment is kept)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = y.store.Put(ctx, y.prefix+name, f)
	return err
}
