package delivery

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/storage/local"
	"github.com/stretchr/testify/require"
)

// openLocal must give what the local store's Open gives: same bytes, size,
// modification time and ETag (clients revalidate with it), and the same
// errors for missing keys, directories and bad keys.
func TestOpenLocalMatchesStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := local.New(t.TempDir())
	require.NoError(t, err)
	key := "media/abc/v0/seg_00000.m4s"
	_, err = store.Put(ctx, key, strings.NewReader("segment bytes"))
	require.NoError(t, err)

	want, err := store.Open(ctx, key)
	require.NoError(t, err)
	defer want.Close()
	got, err := openLocal(store, key)
	require.NoError(t, err)
	defer got.Close()
	require.Equal(t, want.Info().ETag, got.Info().ETag)
	require.Equal(t, want.Info().Size, got.Info().Size)
	require.True(t, want.Info().ModTime.Equal(got.Info().ModTime))
	body, err := io.ReadAll(got)
	require.NoError(t, err)
	require.Equal(t, "segment bytes", string(body))

	for _, k := range []string{"media/abc/v0/missing.m4s", "media/abc/v0", "media/abc/v0/seg_00000.m4s/x"} {
		_, err := openLocal(store, k)
		require.True(t, errors.Is(err, storage.ErrNotFound), "%s: %v", k, err)
	}
	for _, k := range []string{"../etc/passwd", ".tmp/x", "media/../../x"} {
		_, err := openLocal(store, k)
		require.True(t, errors.Is(err, storage.ErrInvalidKey), "%s: %v", k, err)
	}
}
