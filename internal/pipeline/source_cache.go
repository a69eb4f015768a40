package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/kinema/kinema/internal/storage"
)

// sourceCache keeps recently used objects on local disk: whole sources, so
// the jobs of one video that land on the same worker and need all of it
// (probe, audio, chunks of a source that was not split) download it once
// (measured before sources were split: 23 downloads of a 93 MB source for a
// 3-minute video), and in a second cache the pieces neighbouring chunks
// share. Objects of a local store are read in place and never cached.
type sourceCache struct {
	dir  string
	keep int          // objects kept, most recently used first
	log  *slog.Logger // told of every download; may be nil

	mu sync.Mutex // serialises downloads and eviction
}

// fetch returns a local path for the source at key; do not modify the file.
func (c *sourceCache) fetch(ctx context.Context, store storage.Store, key string) (string, error) {
	if lp, ok := store.(storage.LocalPather); ok {
		if _, ok := lp.LocalPath(key); ok {
			return storage.FetchFile(ctx, store, key, "")
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fetchLocked(ctx, store, key)
}

// fetchLinked is fetch for a file a job must keep while it works: the
// cached copy is hard-linked to dst (in the job's own directory) before
// the lock is released, so no other job's eviction can remove it first.
// Where hard links are impossible the cached path is returned.
func (c *sourceCache) fetchLinked(ctx context.Context, store storage.Store, key, dst string) (string, error) {
	if lp, ok := store.(storage.LocalPather); ok {
		if _, ok := lp.LocalPath(key); ok {
			return storage.FetchFile(ctx, store, key, "")
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	path, err := c.fetchLocked(ctx, store, key)
	if err != nil {
		return "", err
	}
	switch err := os.Link(path, dst); {
	case err == nil:
		return dst, nil
	case errors.Is(err, syscall.EXDEV), errors.Is(err, syscall.EPERM), errors.Is(err, syscall.ENOTSUP):
		return path, nil
	default:
		return "", fmt.Errorf("link cached %s: %w", key, err)
	}
}

// fetchLocked is fetch with c.mu held.
func (c *sourceCache) fetchLocked(ctx context.Context, store storage.Store, key string) (string, error) {
	sum := sha256.Sum256([]byte(key))
	path := filepath.Join(c.dir, hex.EncodeToString(sum[:12]))
	if _, err := os.Stat(path); err == nil {
		now := time.Now()
		_ = os.Chtimes(path, now, now) // most recently used
		return path, nil
	}
	if err := os.MkdirAll(c.dir, 0o750); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(c.dir, "fetch-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	started := time.Now()
	got, err := storage.FetchFile(ctx, store, key, tmp)
	if err != nil {
		return "", err
	}
	if c.log != nil {
		if info, err := os.Stat(got); err == nil {
			c.log.Info("fetched from store", "key", key, "bytes", info.Size(), "seconds", time.Since(started).Seconds())
		}
	}
	if err := os.Rename(got, path); err != nil {
		return "", err
	}
	c.evict(path)
	return path, nil
}

// evict removes all but the c.keep most recently used sources. A source in
// use by a running job may go too: its open file stays readable (Unix).
func (c *sourceCache) evict(keepPath string) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type item struct {
		path string
		mod  time.Time
	}
	var items []item
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			items = append(items, item{filepath.Join(c.dir, e.Name()), info.ModTime()})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].mod.After(items[j].mod) })
	for i, it := range items {
		if i >= c.keep && it.path != keepPath {
			_ = os.Remove(it.path)
		}
	}
}
