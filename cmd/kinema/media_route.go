package main

import (
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
// "/media/", as the mux pattern was), byte count and log line, through one
// recorder, without an X-Request-Id.
func mediaFirst(log *slog.Logger, met *metrics.Metrics, media, rest http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, delivery.PathPrefix) {
			rest.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		media.ServeHTTP(rec, r)
		took := time.Since(start)
		met.BytesOut(rec.bytes)
		met.Observe(delivery.PathPrefix, r.Method, rec.status, took)
		logRequest(log, r, rec, took)
	})
}
