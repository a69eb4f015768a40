package main

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// logRequests gives each request an id and logs one line when it ends
// (logRequest).
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [6]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header()["X-Request-Id"] = []string{id} // canonical already
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		logRequest(log, r, rec, time.Since(start), "request_id", id)
	})
}

// logRequest logs one answered request: at error level for 5xx, info for
// API calls and changes, debug for the rest (media, the UI's files). The
// query string is left out on purpose: it carries signed tokens.
func logRequest(log *slog.Logger, r *http.Request, rec *statusRecorder, took time.Duration, attrs ...any) {
	level := slog.LevelDebug
	if rec.status >= 500 {
		level = slog.LevelError
	} else if r.URL.Path[:min(len(r.URL.Path), 5)] == "/api/" || r.Method != http.MethodGet {
		level = slog.LevelInfo
	}
	// Checked first: the arguments below would be boxed (allocated) for
	// every request even when the line is dropped, which at the default
	// level is every media request.
	if !log.Enabled(r.Context(), level) {
		return
	}
	log.Log(r.Context(), level, "http", append(attrs, "method", r.Method, "path", r.URL.Path,
		"status", rec.status, "bytes", rec.bytes, "duration_ms", took.Milliseconds())...)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	n, err := s.ResponseWriter.Write(p)
	s.bytes += int64(n)
	return n, err
}

// ReadFrom keeps net/http's sendfile path for segments served by
// http.ServeContent.
func (s *statusRecorder) ReadFrom(src io.Reader) (int64, error) {
	var n int64
	var err error
	if rf, ok := s.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(struct{ io.Writer }{s.ResponseWriter}, src)
	}
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (flush,
// deadlines) through the recorder.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
