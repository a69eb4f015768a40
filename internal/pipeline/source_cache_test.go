package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/storage"
)

// remoteStore is an object store without local paths that counts downloads.
type remoteStore struct {
	storage.Store // only Open is used
	opens         int
}

type memObject struct {
	*bytes.Reader
	key string
}

func (o memObject) Close() error       { return nil }
func (o memObject) Info() storage.Info { return storage.Info{Key: o.key, Size: o.Size()} }
func (s *remoteStore) Open(_ context.Context, key string) (storage.Object, error) {
	s.opens++
	return memObject{bytes.NewReader([]byte("source of " + key)), key}, nil
}

func TestSourceCache(t *testing.T) {
	ctx := context.Background()
	store := &remoteStore{}
	c := &sourceCache{dir: filepath.Join(t.TempDir(), "sources"), keep: 2}

	a1, err := c.fetch(ctx, store, "raw/a/source-1")
	require.NoError(t, err)
	a2, err := c.fetch(ctx, store, "raw/a/source-1")
	require.NoError(t, err)
	require.Equal(t, a1, a2)
	require.Equal(t, 1, store.opens, "the second chunk job of a video reuses the download")
	data, err := os.ReadFile(a1)
	require.NoError(t, err)
	require.Equal(t, "source of raw/a/source-1", string(data))

	for i := range 3 {
		_, err := c.fetch(ctx, store, fmt.Sprintf("raw/v%d/source-1", i))
		require.NoError(t, err)
	}
	entries, err := os.ReadDir(c.dir)
	require.NoError(t, err)
	require.Len(t, entries, 2, "only the most recently used sources stay")
}
