package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/storage/storagetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storagetest.Run(t, func(t *testing.T) storage.Store { return newTestStore(t, testConfig(t)) })
}

func TestConformanceWithPrefix(t *testing.T) {
	t.Parallel()
	storagetest.Run(t, func(t *testing.T) storage.Store {
		cfg := testConfig(t)
		cfg.Prefix = "tenant/one"
		return newTestStore(t, cfg)
	})
}

func TestPrefixIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(t)
	root := newTestStore(t, cfg)
	cfg.Prefix = "p"
	scoped, err := New(ctx, cfg) // same bucket, already there
	require.NoError(t, err)

	_, err = scoped.Put(ctx, "a/x", strings.NewReader("scoped"))
	require.NoError(t, err)
	_, err = root.Put(ctx, "a/x", strings.NewReader("root"))
	require.NoError(t, err)

	got, err := root.List(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []string{"a/x", "p/a/x"}, keysOf(got))
	got, err = scoped.List(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []string{"a/x"}, keysOf(got))
	require.NoError(t, scoped.DeletePrefix(ctx, ""))
	_, err = root.Stat(ctx, "a/x")
	require.NoError(t, err, "DeletePrefix must stay inside the store's prefix")
}

func TestDeletePrefixManyObjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t, testConfig(t))
	// More than one ListObjectsV2 page (1000) so paging and batching both run.
	const n = 1100
	sem := make(chan struct{}, 16)
	errs := make(chan error, n)
	for i := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			_, err := s.Put(ctx, fmt.Sprintf("seg/%04d.m4s", i), strings.NewReader("x"))
			errs <- err
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	got, err := s.List(ctx, "seg/")
	require.NoError(t, err)
	require.Len(t, got, n)
	require.Equal(t, "seg/0000.m4s", got[0].Key)
	require.NoError(t, s.DeletePrefix(ctx, "seg/"))
	got, err = s.List(ctx, "seg/")
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestPutMultipart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.PartSize = minPartSize
	cfg.Concurrency = 2
	s := newTestStore(t, cfg)

	data := randomBytes(2*minPartSize + 12345) // three parts, the last one small
	// MultiReader hides the length, as a network body would.
	info, err := s.Put(ctx, "big/source.mp4", io.MultiReader(bytes.NewReader(data)))
	require.NoError(t, err)
	require.Equal(t, int64(len(data)), info.Size)
	require.NotEmpty(t, info.ETag)
	require.NotContains(t, info.ETag, `"`)
	require.True(t, strings.HasSuffix(info.ETag, "-3"), "multipart ETags end in -<parts>: %s", info.ETag)

	st, err := s.Stat(ctx, "big/source.mp4")
	require.NoError(t, err)
	require.Equal(t, info.ETag, st.ETag)
	require.Equal(t, info.Size, st.Size)
	require.Equal(t, data, readAll(t, s, "big/source.mp4"))
	require.Zero(t, s.pendingUploads(t))
}

func TestPutExactlyOnePart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.PartSize = minPartSize
	s := newTestStore(t, cfg)
	// A body of exactly one part is only known to end after another read,
	// so it goes through a one-part multipart upload.
	data := randomBytes(minPartSize)
	info, err := s.Put(ctx, "k", bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, int64(len(data)), info.Size)
	require.Equal(t, data, readAll(t, s, "k"))
}

func TestFailedMultipartPutLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.PartSize = minPartSize
	s := newTestStore(t, cfg)

	body := io.MultiReader(bytes.NewReader(randomBytes(minPartSize+100)), failingReader{})
	_, err := s.Put(ctx, "half", body)
	require.ErrorContains(t, err, "connection reset")
	_, err = s.Stat(ctx, "half")
	require.ErrorIs(t, err, storage.ErrNotFound)
	require.Zero(t, s.pendingUploads(t), "a failed Put must abort its multipart upload")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Put(cctx, "cancelled", bytes.NewReader(randomBytes(2*minPartSize)))
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, s.pendingUploads(t))
}

func TestRangedReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(t)
	rt := newCountingTransport()
	cfg.HTTPClient = &http.Client{Transport: rt}
	s := newTestStore(t, cfg)
	data := randomBytes(1<<20 + 7)
	_, err := s.Put(ctx, "v/seg.m4s", bytes.NewReader(data))
	require.NoError(t, err)

	heads, gets := rt.count(http.MethodHead), rt.count(http.MethodGet)
	obj, err := s.Open(ctx, "v/seg.m4s")
	require.NoError(t, err)
	defer obj.Close()
	require.Equal(t, int64(len(data)), obj.Info().Size)
	require.Equal(t, heads+1, rt.count(http.MethodHead), "Open is one HEAD")

	// What http.ServeContent does first: seek to the end for the size.
	end, err := obj.Seek(0, io.SeekEnd)
	require.NoError(t, err)
	require.Equal(t, int64(len(data)), end)
	_, err = obj.Seek(1000, io.SeekStart)
	require.NoError(t, err)
	require.Equal(t, gets, rt.count(http.MethodGet), "Seek must not fetch")

	buf := make([]byte, 500)
	_, err = io.ReadFull(obj, buf)
	require.NoError(t, err)
	require.Equal(t, data[1000:1500], buf)
	_, err = io.ReadFull(obj, buf)
	require.NoError(t, err)
	require.Equal(t, data[1500:2000], buf)
	require.Equal(t, gets+1, rt.count(http.MethodGet), "sequential reads share one GET")

	pos, err := obj.Seek(-10, io.SeekCurrent)
	require.NoError(t, err)
	require.Equal(t, int64(1990), pos)
	_, err = io.ReadFull(obj, buf[:20])
	require.NoError(t, err)
	require.Equal(t, data[1990:2010], buf[:20])

	_, err = obj.Seek(-7, io.SeekEnd)
	require.NoError(t, err)
	tail, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.Equal(t, data[len(data)-7:], tail)

	getsBefore := rt.count(http.MethodGet)
	_, err = obj.Seek(int64(len(data))+100, io.SeekStart)
	require.NoError(t, err)
	n, err := obj.Read(buf)
	require.Equal(t, 0, n)
	require.ErrorIs(t, err, io.EOF)
	require.Equal(t, getsBefore, rt.count(http.MethodGet), "reading past the end needs no request")

	_, err = obj.Seek(-1, io.SeekStart)
	require.Error(t, err)

	_, err = obj.Seek(0, io.SeekStart)
	require.NoError(t, err)
	all, err := io.ReadAll(obj)
	require.NoError(t, err)
	require.Equal(t, data, all)
	require.NoError(t, obj.Close())
	require.NoError(t, obj.Close(), "Close twice is harmless")

	// Reading exactly to the end, as io.CopyN in http.ServeContent does, then
	// closing must leave the connection reusable: no new dials.
	readExactly := func() {
		obj, err := s.Open(ctx, "v/seg.m4s")
		require.NoError(t, err)
		got := make([]byte, len(data))
		_, err = io.ReadFull(obj, got)
		require.NoError(t, err)
		require.Equal(t, data, got)
		require.NoError(t, obj.Close())
	}
	readExactly()
	dials := rt.dialCount()
	readExactly()
	readExactly()
	require.Equal(t, dials, rt.dialCount(), "connections are reused after full reads")
}

func TestServeContent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t, testConfig(t))
	data := randomBytes(300_000)
	_, err := s.Put(ctx, "seg.ts", bytes.NewReader(data))
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		obj, err := s.Open(r.Context(), "seg.ts")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer obj.Close()
		w.Header().Set("ETag", `"`+obj.Info().ETag+`"`)
		http.ServeContent(w, r, "seg.ts", obj.Info().ModTime, obj)
	}))
	defer srv.Close()

	get := func(rng string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, body
	}
	resp, body := get("")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, data, body)
	resp, body = get("bytes=100000-100099")
	require.Equal(t, http.StatusPartialContent, resp.StatusCode)
	require.Equal(t, data[100000:100100], body)
	resp, body = get("bytes=-50")
	require.Equal(t, http.StatusPartialContent, resp.StatusCode)
	require.Equal(t, data[len(data)-50:], body)
	resp, body = get("bytes=0-9,200000-200009")
	require.Equal(t, http.StatusPartialContent, resp.StatusCode)
	require.True(t, bytes.Contains(body, data[0:10]) && bytes.Contains(body, data[200000:200010]))
}

func TestEmptyObject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t, testConfig(t))
	info, err := s.Put(ctx, "empty", strings.NewReader(""))
	require.NoError(t, err)
	require.Zero(t, info.Size)
	require.Empty(t, readAll(t, s, "empty"))
}

func TestReadAfterOverwriteFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t, testConfig(t))
	_, err := s.Put(ctx, "k", strings.NewReader("version one"))
	require.NoError(t, err)
	obj, err := s.Open(ctx, "k")
	require.NoError(t, err)
	defer obj.Close()
	_, err = s.Put(ctx, "k", strings.NewReader("version two!"))
	require.NoError(t, err)
	_, err = io.ReadAll(obj)
	require.ErrorIs(t, err, ErrChanged)
}

func readAll(t *testing.T, s *Store, key string) []byte {
	t.Helper()
	obj, err := s.Open(context.Background(), key)
	require.NoError(t, err)
	defer obj.Close()
	b, err := io.ReadAll(obj)
	require.NoError(t, err)
	return b
}

func keysOf(infos []storage.Info) []string {
	out := make([]string, len(infos))
	for i, in := range infos {
		out[i] = in.Key
	}
	return out
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
