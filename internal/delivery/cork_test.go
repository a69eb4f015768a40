//go:build linux

package delivery

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// corkState reads TCP_CORK on the request's connection.
// corkState reads TCP_CORK of the request's connection; -1 when it cannot
// (checked by the test's goroutine: a handler must not call FailNow).
func corkState(r *http.Request) int {
	rc, ok := r.Context().Value(connKey{}).(syscall.RawConn)
	if !ok {
		return -1 // ConnContext filed no connection
	}
	v, gerr := -1, error(nil)
	if err := rc.Control(func(fd uintptr) {
		v, gerr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK)
	}); err != nil || gerr != nil {
		return -1
	}
	return v
}

// TestCorkReleased: a whole-file response corks the connection while it is
// written and leaves it uncorked, so the next response on the keep-alive
// connection is not held back (the kernel would hold it for up to 200 ms).
func TestCorkReleased(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "seg.m4s")
	data := bytes.Repeat([]byte("0123456789"), 30_000)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	type states struct{ during, afterUncork, afterServe int }
	got := make(chan states, 3)
	objs := make(chan fileObject, 1) // opened here: the handler must not call FailNow
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s states
		uncork := cork(r.Context())
		s.during = corkState(r)
		uncork()
		s.afterUncork = corkState(r)

		obj := <-objs
		defer obj.Close()
		w.Header().Set("Content-Type", "video/iso.segment")
		serveObject(w, r, obj)
		s.afterServe = corkState(r)
		got <- s
	}))
	srv.Config.ConnContext = ConnContext
	srv.Start()
	defer srv.Close()
	for range 3 { // one keep-alive connection
		objs <- openFileObject(t, path)
		res, err := srv.Client().Get(srv.URL)
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, data, body)
		require.Equal(t, states{during: 1}, <-got)
	}
}
