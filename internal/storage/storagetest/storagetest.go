// Package storagetest is the conformance suite every storage.Store backend
// must pass.
package storagetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/storage"
)

// Run exercises the storage.Store contract against a fresh store from newStore.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	ctx := context.Background()

	t.Run("PutOpenStat", func(t *testing.T) {
		s := newStore(t)
		info, err := s.Put(ctx, "a/b/c.txt", strings.NewReader("hello"))
		require.NoError(t, err)
		require.Equal(t, int64(5), info.Size)
		require.NotEmpty(t, info.ETag)
		obj, err := s.Open(ctx, "a/b/c.txt")
		require.NoError(t, err)
		defer obj.Close()
		_, err = obj.Seek(1, io.SeekStart)
		require.NoError(t, err)
		rest, err := io.ReadAll(obj)
		require.NoError(t, err)
		require.Equal(t, "ello", string(rest))
		st, err := s.Stat(ctx, "a/b/c.txt")
		require.NoError(t, err)
		require.Equal(t, info.ETag, st.ETag)
	})

	t.Run("OverwriteChangesETag", func(t *testing.T) {
		s := newStore(t)
		a, err := s.Put(ctx, "k", strings.NewReader("one"))
		require.NoError(t, err)
		b, err := s.Put(ctx, "k", strings.NewReader("three"))
		require.NoError(t, err)
		require.NotEqual(t, a.ETag, b.ETag)
	})

	t.Run("Missing", func(t *testing.T) {
		s := newStore(t)
		_, err := s.Open(ctx, "nope")
		require.ErrorIs(t, err, storage.ErrNotFound)
		_, err = s.Stat(ctx, "nope/x")
		require.ErrorIs(t, err, storage.ErrNotFound)
		require.NoError(t, s.Delete(ctx, "nope"))
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		s := newStore(t)
		for _, k := range []string{"", "/abs", "../x", "a/../../x", "a//b", "a/./b", "a\\b"} {
			_, err := s.Put(ctx, k, strings.NewReader("x"))
			require.ErrorIs(t, err, storage.ErrInvalidKey, k)
			_, err = s.Open(ctx, k)
			require.ErrorIs(t, err, storage.ErrInvalidKey, k)
		}
	})

	t.Run("ListAndDeletePrefix", func(t *testing.T) {
		s := newStore(t)
		for _, k := range []string{"m/1/a", "m/1/sub/b", "m/2/a", "m/10/a"} {
			_, err := s.Put(ctx, k, strings.NewReader(k))
			require.NoError(t, err)
		}
		got, err := s.List(ctx, "m/1/")
		require.NoError(t, err)
		require.Equal(t, []string{"m/1/a", "m/1/sub/b"}, keys(got))
		require.NoError(t, s.DeletePrefix(ctx, "m/1/"))
		got, err = s.List(ctx, "m/")
		require.NoError(t, err)
		require.Equal(t, []string{"m/10/a", "m/2/a"}, keys(got))
		empty, err := s.List(ctx, "nothing/here/")
		require.NoError(t, err)
		require.Empty(t, empty)
	})

	t.Run("FailedPutLeavesNothing", func(t *testing.T) {
		s := newStore(t)
		_, err := s.Put(ctx, "half", io.MultiReader(strings.NewReader("part"), errReader{}))
		require.Error(t, err)
		_, err = s.Stat(ctx, "half")
		require.ErrorIs(t, err, storage.ErrNotFound)
	})

	t.Run("LargeObject", func(t *testing.T) {
		s := newStore(t)
		data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
		_, err := s.Put(ctx, "big", bytes.NewReader(data))
		require.NoError(t, err)
		obj, err := s.Open(ctx, "big")
		require.NoError(t, err)
		defer obj.Close()
		got, err := io.ReadAll(obj)
		require.NoError(t, err)
		require.Equal(t, data, got)
	})
}

func keys(infos []storage.Info) []string {
	out := make([]string, len(infos))
	for i, in := range infos {
		out[i] = in.Key
	}
	return out
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
