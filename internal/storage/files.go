package storage

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// PutFile stores the local file at localPath under key, moving it when the
// store can, copying it otherwise. The local file is gone afterwards only if
// it was moved.
func PutFile(ctx context.Context, s Store, key, localPath string) (Info, error) {
	if m, ok := s.(Mover); ok {
		return m.MoveIn(ctx, key, localPath)
	}
	f, err := os.Open(localPath)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	return s.Put(ctx, key, f)
}

// FetchFile makes the object available as a local file and returns its path.
// Local stores return the object's own path (do not modify it); others copy it
// into dir.
func FetchFile(ctx context.Context, s Store, key, dir string) (string, error) {
	if lp, ok := s.(LocalPather); ok {
		if p, ok := lp.LocalPath(key); ok {
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("%s: %w", key, ErrNotFound)
			}
			return p, nil
		}
	}
	obj, err := s.Open(ctx, key)
	if err != nil {
		return "", err
	}
	defer obj.Close()
	dst := filepath.Join(dir, filepath.Base(key))
	f, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, obj); err != nil {
		f.Close()
		return "", err
	}
	return dst, f.Close()
}

// PutDir stores every regular file under dir with keys prefix + relative
// path, several at a time: an object store spends most of each small PUT
// waiting on the network (a packaged video is hundreds of segments).
func PutDir(ctx context.Context, s Store, prefix, dir string) error {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	sem := make(chan struct{}, 8)
	for _, p := range files {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if _, err := PutFile(ctx, s, prefix+filepath.ToSlash(rel), p); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstErr
}
