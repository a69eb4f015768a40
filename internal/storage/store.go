// Package storage defines where kinema keeps objects: raw uploads, work files
// between jobs, and published media. Backends live in subpackages and must
// pass storagetest.Run.
package storage

import (
	"context"
	"errors"
	"io"
	"path"
	"strings"
	"time"
)

// ErrNotFound is returned by Open, Stat and Delete-free lookups when no object
// has the key.
var ErrNotFound = errors.New("storage: object not found")

// ErrInvalidKey is returned for keys that are empty, absolute, or escape their
// prefix with "..".
var ErrInvalidKey = errors.New("storage: invalid key")

// Info describes a stored object.
type Info struct {
	Key     string
	Size    int64
	ModTime time.Time
	ETag    string // strong validator, stable while the object is unchanged
}

// Object is an open stored object. It supports seeking so it can be served
// with HTTP Range requests.
type Object interface {
	io.ReadSeekCloser
	Info() Info
}

// Store is a flat namespace of objects addressed by slash-separated keys.
// Put is atomic: readers see the old object or the new one, never a partial
// one. Missing keys give ErrNotFound; bad keys give ErrInvalidKey.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader) (Info, error)
	Open(ctx context.Context, key string) (Object, error)
	Stat(ctx context.Context, key string) (Info, error)
	// List returns the objects whose keys start with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Info, error)
	// Delete removes one object; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every object under prefix.
	DeletePrefix(ctx context.Context, prefix string) error
}

// LocalPather is implemented by stores that keep objects as local files, so
// ffmpeg can read a source in place instead of copying it to scratch space.
type LocalPather interface {
	LocalPath(key string) (string, bool)
}

// Mover is implemented by stores that can take ownership of a local file
// without copying it (a rename on the same disk).
type Mover interface {
	MoveIn(ctx context.Context, key, localPath string) (Info, error)
}

// CleanKey validates a key and returns it in canonical form.
func CleanKey(key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") || strings.ContainsRune(key, 0) {
		return "", ErrInvalidKey
	}
	for part := range strings.SplitSeq(key, "/") { // no allocation: this runs on every media request
		if part == ".." || part == "." || part == "" {
			return "", ErrInvalidKey
		}
	}
	return path.Clean(key), nil
}
