package delivery

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/storage"
	"github.com/stretchr/testify/require"
)

// fileObject is a storage.Object backed by a file, as the local store's are,
// so serving it can take the sendfile path.
type fileObject struct {
	*os.File
	info storage.Info
}

func (o fileObject) Info() storage.Info { return o.info }

func openFileObject(t *testing.T, path string) fileObject {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	st, err := f.Stat()
	require.NoError(t, err)
	return fileObject{f, storage.Info{Size: st.Size(), ModTime: st.ModTime()}}
}

// TestServeObjectMatchesServeContent serves a file over real TCP (so
// net/http uses sendfile) through serveObject and through plain
// http.ServeContent on the *os.File, and requires identical answers for
// whole files, ranges and conditional requests.
func TestServeObjectMatchesServeContent(t *testing.T) {
	t.Parallel()
	data := make([]byte, 300_000)
	for i := range data {
		data[i] = byte(i * 7 % 251)
	}
	path := filepath.Join(t.TempDir(), "seg.m4s")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	mod := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	require.NoError(t, os.Chtimes(path, mod, mod))

	serve := func(sized bool) string {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			obj := openFileObject(t, path)
			defer obj.Close()
			w.Header().Set("Content-Type", "video/iso.segment")
			if sized {
				serveObject(w, r, obj)
			} else {
				http.ServeContent(w, r, "", obj.info.ModTime, obj.File)
			}
		}))
		if sized {
			srv.Config.ConnContext = ConnContext // corked, as in kinema serve
		}
		srv.Start()
		t.Cleanup(srv.Close)
		return srv.URL
	}
	sized, plain := serve(true), serve(false)

	fetch := func(base, method string, hdr ...string) (*http.Response, []byte) {
		req, err := http.NewRequest(method, base+"/x", nil)
		require.NoError(t, err)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, body
	}
	cases := map[string][]string{
		"whole":             nil,
		"first byte":        {"Range", "bytes=0-0"},
		"middle":            {"Range", "bytes=1000-99999"},
		"open ended":        {"Range", "bytes=250000-"},
		"suffix":            {"Range", "bytes=-777"},
		"last byte":         {"Range", "bytes=299999-"},
		"past the end":      {"Range", "bytes=300000-"},
		"beyond clamps":     {"Range", "bytes=299000-999999"},
		"malformed":         {"Range", "bytes=x-y"},
		"if-modified-since": {"If-Modified-Since", mod.Format(http.TimeFormat)},
		"if-range stale":    {"Range", "bytes=0-9", "If-Range", mod.Add(-time.Hour).Format(http.TimeFormat)},
	}
	for name, hdr := range cases {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			want, wantBody := fetch(plain, method, hdr...)
			got, gotBody := fetch(sized, method, hdr...)
			require.Equal(t, want.StatusCode, got.StatusCode, name)
			for _, h := range []string{"Content-Length", "Content-Range", "Last-Modified", "Content-Type"} {
				require.Equal(t, want.Header.Get(h), got.Header.Get(h), "%s %s %s", name, method, h)
			}
			require.Equal(t, wantBody, gotBody, name)
		}
	}
	// Multipart ranges: boundaries differ, the parts must not.
	res, body := fetch(sized, http.MethodGet, "Range", "bytes=0-9,100000-100009,-5")
	require.Equal(t, http.StatusPartialContent, res.StatusCode)
	for _, part := range [][]byte{data[:10], data[100000:100010], data[len(data)-5:]} {
		require.True(t, bytes.Contains(body, part), "part %q", part)
	}
}

// TestSizedContentSeeks drives sizedContent with random seeks and reads and
// compares every result with a bytes.Reader over the same data (which is
// what the in-memory object wraps, so even the errors must match).
func TestSizedContentSeeks(t *testing.T) {
	t.Parallel()
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	store := newMemStore(time.Time{})
	_, err := store.Put(t.Context(), "k", bytes.NewReader(data))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 200 {
		obj, err := store.Open(t.Context(), "k")
		require.NoError(t, err)
		c := &sizedContent{obj: obj, size: int64(len(data))}
		ref := bytes.NewReader(data)
		for step := range 20 {
			msg := fmt.Sprintf("run %d step %d", run, step)
			if rng.IntN(2) == 0 {
				off, whence := int64(rng.IntN(len(data)+6)-3), rng.IntN(3)
				if rng.IntN(3) == 0 {
					off = 0 // the seeks ServeContent makes
				}
				wn, werr := ref.Seek(off, whence)
				gn, gerr := c.Seek(off, whence)
				require.Equal(t, werr != nil, gerr != nil, msg)
				if werr == nil {
					require.Equal(t, wn, gn, msg)
				}
				continue
			}
			want, got := make([]byte, rng.IntN(8)), make([]byte, 8)
			wn, werr := ref.Read(want)
			gn, gerr := c.Read(got[:len(want)])
			require.Equal(t, want[:wn], got[:gn], msg)
			require.Equal(t, werr, gerr, msg)
		}
	}
}

// TestSizedFileAfterSendfile: once the descriptor has been handed out, the
// file's offset may have moved without Read seeing it (sendfile), so a seek
// back to the start must really happen.
func TestSizedFileAfterSendfile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, []byte("0123456789"), 0o600))
	obj := openFileObject(t, path)
	defer obj.Close()
	f := sizedFile{&sizedContent{obj: obj, size: 10}, obj}
	_, err := f.SyscallConn()
	require.NoError(t, err)
	_, err = obj.File.Read(make([]byte, 4)) // what sendfile does to the offset
	require.NoError(t, err)
	n, err := f.Seek(0, io.SeekStart)
	require.NoError(t, err)
	require.Zero(t, n)
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	require.Equal(t, "0123456789", string(b))
}

// countingFile notes when net/http asks for the descriptor, which it does
// only to sendfile(2) from it.
type countingFile struct {
	fileObject
	calls *atomic.Int32
}

func (f countingFile) SyscallConn() (syscall.RawConn, error) {
	f.calls.Add(1)
	return f.File.SyscallConn()
}

// TestServeObjectKeepsSendfile: segments from files still go out with
// sendfile through serveObject's wrapper.
func TestServeObjectKeepsSendfile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "seg.m4s")
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte("x"), 200_000), 0o600))
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		obj := countingFile{openFileObject(t, path), &calls}
		defer obj.Close()
		serveObject(w, r, obj)
	}))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, int64(200_000), n)
	require.Positive(t, calls.Load())
}
