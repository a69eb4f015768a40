package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/metrics"
)

// mediaFirst answers media requests (delivery.PathPrefix) ahead of the
// ServeMux and the general middleware. Players ask for a playlist or a
// segment every few seconds each, and for a signed playlist the mux's
// pattern match, the request id and three nested response wrappers were a
// sixth of its CPU (issue 19). Media requests keep their metrics (route
// "/media/", as the mux pattern was) and byte count, and are logged as
// logRequests logs them (debug; error for 5xx), without an X-Request-Id.
func mediaFirst(log *slog.Logger, met *metrics.Metrics, media, rest http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, delivery.PathPrefix) {
			rest.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &mediaRecorder{ResponseWriter: w}
		media.ServeHTTP(rec, r)
		code := rec.code()
		took := time.Since(start)
		met.BytesOut(rec.bytes)
		met.Observe(delivery.PathPrefix, r.Method, code, took)
		level := slog.LevelDebug
		if code >= 500 {
			level = slog.LevelError
		}
		if log.Enabled(r.Context(), level) {
			log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path,
				"status", code, "bytes", rec.bytes, "duration_ms", took.Milliseconds())
		}
	})
}

// mediaRecorder notes the status and the body bytes of a media response,
// keeping net/http's sendfile path (ReadFrom) for segments.
type mediaRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (m *mediaRecorder) WriteHeader(code int) {
	// 1xx other than 101 are interim; the final code follows.
	if m.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		m.status = code
	}
	m.ResponseWriter.WriteHeader(code)
}

func (m *mediaRecorder) Write(p []byte) (int, error) {
	n, err := m.ResponseWriter.Write(p)
	m.bytes += int64(n)
	return n, err
}

func (m *mediaRecorder) ReadFrom(src io.Reader) (int64, error) {
	var n int64
	var err error
	if rf, ok := m.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(struct{ io.Writer }{m.ResponseWriter}, src)
	}
	m.bytes += n
	return n, err
}

// code is what the client got; a handler that writes nothing sends 200.
func (m *mediaRecorder) code() int {
	if m.status == 0 {
		return http.StatusOK
	}
	return m.status
}

// Unwrap lets http.ResponseController and delivery's corking reach the
// connection's writer.
func (m *mediaRecorder) Unwrap() http.ResponseWriter { return m.ResponseWriter }
