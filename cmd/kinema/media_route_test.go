package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/metrics"
)

// TestMediaFirst: media paths go to the media handler without the mux,
// are counted under the route "/media/" with their bytes, keep sendfile
// (ReadFrom) and are logged at error level when they fail; other paths go
// to the rest unchanged.
func TestMediaFirst(t *testing.T) {
	t.Parallel()
	met := metrics.New()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var readFrom bool
	media := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/media/v/seg.m4s":
			rf, ok := w.(io.ReaderFrom)
			readFrom = ok
			require.True(t, ok, "the recorder hides ReadFrom")
			_, _ = rf.ReadFrom(strings.NewReader("0123456789"))
		case "/media/v/broken.m3u8":
			http.Error(w, "no", http.StatusInternalServerError)
		default:
			_, _ = io.WriteString(w, "abc")
		}
	})
	rest := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	h := mediaFirst(log, met, media, rest)
	srv := httptest.NewServer(h)
	defer srv.Close()

	for _, c := range []struct {
		path string
		want int
	}{
		{"/media/v/seg.m4s", http.StatusOK},
		{"/media/v/x.m3u8", http.StatusOK},
		{"/media/v/broken.m3u8", http.StatusInternalServerError},
		{"/api/v1/videos", http.StatusTeapot},
		{"/mediafoo", http.StatusTeapot},
	} {
		path, want := c.path, c.want
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, path)
	}
	require.True(t, readFrom)

	scrape := httptest.NewRecorder()
	met.Handler().ServeHTTP(scrape, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := scrape.Body.String()
	// Small answers leave only when their handler has returned, after
	// mediaFirst counted them, so all three media requests are counted.
	require.Contains(t, body, `kinema_http_requests_total{code="200",method="GET",route="/media/"} 2`)
	require.Contains(t, body, `kinema_http_requests_total{code="500",method="GET",route="/media/"} 1`)
	require.NotContains(t, body, `route="unmatched"`)
	require.Contains(t, body, "kinema_bytes_out_total 16") // 10 by ReadFrom + 3 + "no\n"
	require.Contains(t, logs.String(), "level=ERROR msg=http method=GET path=/media/v/broken.m3u8 status=500")
}
