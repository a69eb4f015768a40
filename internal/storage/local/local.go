// Package local is a storage.Store on a local directory. Objects are plain
// files, so ffmpeg can read sources in place and publishing is a rename.
package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kinema/kinema/internal/storage"
)

// Store keeps objects under Root. Temporary files for atomic writes live in
// Root/.tmp so a crash never leaves a partial object under a real key.
type Store struct {
	root string
}

var (
	_ storage.Store       = (*Store)(nil)
	_ storage.LocalPather = (*Store)(nil)
	_ storage.Mover       = (*Store)(nil)
)

// New returns a Store rooted at dir, creating it if needed.
func New(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(abs, ".tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("local store: %w", err)
	}
	return &Store{root: abs}, nil
}

func (s *Store) path(key string) (string, error) {
	k, err := storage.CleanKey(key)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(k, ".tmp") {
		return "", storage.ErrInvalidKey
	}
	return filepath.Join(s.root, filepath.FromSlash(k)), nil
}

// LocalPath returns the file that holds key.
func (s *Store) LocalPath(key string) (string, bool) {
	p, err := s.path(key)
	return p, err == nil
}

// Put writes r to a temporary file and renames it into place.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (storage.Info, error) {
	dst, err := s.path(key)
	if err != nil {
		return storage.Info{}, err
	}
	tmp, err := os.CreateTemp(filepath.Join(s.root, ".tmp"), "put-*")
	if err != nil {
		return storage.Info{}, err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := io.Copy(tmp, &ctxReader{ctx: ctx, r: r}); err != nil {
		tmp.Close()
		return storage.Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return storage.Info{}, err
	}
	return s.rename(key, tmp.Name(), dst)
}

// MoveIn renames localPath to key; it copies when the file is on another disk.
func (s *Store) MoveIn(ctx context.Context, key, localPath string) (storage.Info, error) {
	dst, err := s.path(key)
	if err != nil {
		return storage.Info{}, err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return storage.Info{}, err
	}
	if err := os.Rename(localPath, dst); err != nil {
		var linkErr *os.LinkError
		if errors.As(err, &linkErr) { // cross-device: fall back to a copy
			f, err := os.Open(localPath)
			if err != nil {
				return storage.Info{}, err
			}
			defer f.Close()
			info, err := s.Put(ctx, key, f)
			if err == nil {
				os.Remove(localPath)
			}
			return info, err
		}
		return storage.Info{}, err
	}
	return s.Stat(ctx, key)
}

func (s *Store) rename(key, from, to string) (storage.Info, error) {
	if err := os.MkdirAll(filepath.Dir(to), 0o750); err != nil {
		return storage.Info{}, err
	}
	if err := os.Rename(from, to); err != nil {
		return storage.Info{}, err
	}
	return s.Stat(context.Background(), key)
}

// Open opens the object for reading and seeking.
func (s *Store) Open(_ context.Context, key string) (storage.Object, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notFound(key, err)
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", key, storage.ErrNotFound)
	}
	return &object{File: f, info: info(key, st)}, nil
}

// Stat describes the object without opening it.
func (s *Store) Stat(_ context.Context, key string) (storage.Info, error) {
	p, err := s.path(key)
	if err != nil {
		return storage.Info{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return storage.Info{}, notFound(key, err)
	}
	if st.IsDir() {
		return storage.Info{}, fmt.Errorf("%s: %w", key, storage.ErrNotFound)
	}
	return info(key, st), nil
}

// List walks the directory that contains prefix and keeps matching keys.
func (s *Store) List(_ context.Context, prefix string) ([]storage.Info, error) {
	dir := s.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		p, err := s.path(prefix[:i])
		if err != nil {
			return nil, err
		}
		dir = p
	}
	var out []storage.Info
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(s.root, p)
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if key == ".tmp" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		st, err := d.Info()
		if err != nil {
			return nil // removed while walking
		}
		out = append(out, info(key, st))
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

// Delete removes one object.
func (s *Store) Delete(_ context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// DeletePrefix removes every object under prefix. A prefix ending in "/" is
// removed as a directory in one call.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) error {
	if dir, ok := strings.CutSuffix(prefix, "/"); ok {
		p, err := s.path(dir)
		if err != nil {
			return err
		}
		return os.RemoveAll(p)
	}
	objs, err := s.List(ctx, prefix)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := s.Delete(ctx, o.Key); err != nil {
			return err
		}
	}
	return nil
}

func info(key string, st fs.FileInfo) storage.Info {
	// Size, mtime and key make a validator that changes whenever Put replaces the file.
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%d", key, st.Size(), st.ModTime().UnixNano()))
	return storage.Info{Key: key, Size: st.Size(), ModTime: st.ModTime(), ETag: hex.EncodeToString(sum[:8])}
}

func notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", key, storage.ErrNotFound)
	}
	return err
}

type object struct {
	*os.File
	info storage.Info
}

func (o *object) Info() storage.Info { return o.info }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
