package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/upload"
)

// Server holds what the handlers need. Function fields are the few actions
// that cross into other components; cmd/kinema wires them.
type Server struct {
	Catalog *catalog.Catalog
	Uploads *upload.Service
	Log     *slog.Logger
	Now     func() time.Time

	// PublicURL, when set, is the origin put into signed URLs; otherwise the
	// request's own scheme and host are used.
	PublicURL string
	// PlaybackFunc signs playback URLs for a ready video.
	PlaybackFunc func(base string, v media.Video) (delivery.Playback, error)
	// RetryFunc requeues a failed video.
	RetryFunc func(ctx context.Context, id string) error
	// JobsFunc lists pipeline jobs.
	JobsFunc JobsFunc
	// DeleteMediaFunc removes a video's stored objects.
	DeleteMediaFunc func(ctx context.Context, id string) error
}

// Register mounts the API routes on mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/videos", s.authed(s.createVideo))
	mux.Handle("GET /api/v1/videos", s.authed(s.listVideos))
	mux.Handle("GET /api/v1/videos/{id}", s.authed(s.getVideo))
	mux.Handle("DELETE /api/v1/videos/{id}", s.authed(s.deleteVideo))
	mux.Handle("POST /api/v1/videos/{id}/retry", s.authed(s.adminOnly(s.retryVideo)))
	mux.Handle("GET /api/v1/jobs", s.authed(s.adminOnly(s.listJobs)))
	mux.Handle("GET "+OpenAPIPath, OpenAPIHandler())
}

// baseURL is the origin clients reach us on.
func (s *Server) baseURL(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimSuffix(s.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
