// Package upload receives source files: a signed, single-use PUT URL for
// simple clients and a tus 1.0 endpoint (tusd) for resumable uploads. Either
// path ends by storing the file under raw/<video>/ and starting the pipeline.
package upload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
)

// StartFunc moves a video from waiting_upload to queued with its stored
// source and enqueues processing, atomically. It returns an error wrapping
// media.ErrConflict when the video's upload already completed.
type StartFunc func(ctx context.Context, videoID, sourceKey string, size int64) error

// Config tunes uploads.
type Config struct {
	TusDir   string        // where tusd keeps partial uploads
	MaxBytes int64         // largest accepted upload; 0 means no limit
	TTL      time.Duration // how long after a video's creation new uploads may start
	// AbandonAfter is how long a video still waiting for its upload is kept
	// after its upload URL expired (room for uploads already under way);
	// then the sweep deletes it. Zero means 24 h.
	AbandonAfter time.Duration
	// MultipartThreshold is the size above which direct uploads use
	// multipart; PartSize is the part size. Zero means the defaults.
	MultipartThreshold int64
	PartSize           int64
	// WebhookSecret authenticates S3 event notifications; empty disables them.
	WebhookSecret string
	// StorePrefix is stripped from object keys in S3 events (the s3:// prefix
	// plus "/"), turning them back into store keys.
	StorePrefix string
}

// Keys signs and verifies upload tokens: *auth.Keys for a fixed key set, or
// *auth.KeyRing so that a key rotation or removal applies while the service
// runs.
type Keys interface {
	Sign(c auth.Claims) (string, error)
	Verify(token, purpose string, now time.Time) (auth.Claims, error)
}

// TusPath is where the tus endpoint is mounted.
const TusPath = "/api/v1/tus/"

// Service hands out upload URLs and receives the bytes.
type Service struct {
	cat   *catalog.Catalog
	keys  Keys
	store Store
	start StartFunc
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
	tus   http.Handler

	tusLocks keyedMutex
}

// Grant is how a client may upload one video's source.
type Grant struct {
	URL    string `json:"url"`
	Method string `json:"method"`
	// ExpiresAt is when url, tus_url and direct_url stop accepting new
	// uploads: TTL after the video was created, however often it is read.
	ExpiresAt time.Time `json:"expires_at"`
	// DeleteAt is when the sweep deletes the video if no upload completed.
	DeleteAt time.Time `json:"delete_at"`
	TusURL   string    `json:"tus_url"`
	// DirectURL starts an upload straight to the object store (presigned PUT
	// or multipart); only present when the store supports it.
	DirectURL string `json:"direct_url,omitempty"`
}

// New builds the service and its tus handler.
func New(cat *catalog.Catalog, store Store, keys Keys, start StartFunc, cfg Config, log *slog.Logger) (*Service, error) {
	if cfg.TTL <= 0 {
		cfg.TTL = 24 * time.Hour
	}
	if cfg.AbandonAfter <= 0 {
		cfg.AbandonAfter = 24 * time.Hour
	}
	s := &Service{cat: cat, keys: keys, store: store, start: start, cfg: cfg, log: log, now: time.Now}
	tus, err := s.newTusHandler()
	if err != nil {
		return nil, err
	}
	s.tus = tus
	return s, nil
}

// Register mounts the upload endpoints on mux.
func (s *Service) Register(mux *http.ServeMux) {
	mux.HandleFunc("PUT /upload/{id}", s.handlePut)
	mux.Handle(TusPath, s.tus)
	mux.HandleFunc("POST /upload/{id}/direct", s.handleDirectStart)
	mux.HandleFunc("POST /upload/{id}/direct/complete", s.handleDirectComplete)
	mux.HandleFunc("POST /upload/{id}/direct/abort", s.handleDirectAbort)
	mux.HandleFunc("POST /api/v1/hooks/s3", s.handleS3Event)
}

// Grant signs upload URLs for videoID, created at createdAt; base is the
// public origin, like "https://media.example.com".
func (s *Service) Grant(base, videoID string, createdAt time.Time) (Grant, error) {
	exp := s.uploadExpiry(createdAt)
	token, err := s.keys.Sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposeUpload, ExpiresAt: exp})
	if err != nil {
		return Grant{}, err
	}
	q := url.Values{"token": {token}}.Encode()
	direct := ""
	if _, ok := s.presigner(); ok {
		direct = fmt.Sprintf("%s/upload/%s/direct?%s", base, url.PathEscape(videoID), q)
	}
	return Grant{
		DirectURL: direct,
		URL:       fmt.Sprintf("%s/upload/%s?%s", base, url.PathEscape(videoID), q),
		Method:    http.MethodPut,
		ExpiresAt: exp.UTC(),
		DeleteAt:  s.deleteAt(createdAt).UTC(),
		TusURL:    fmt.Sprintf("%s%s?%s", base, TusPath, url.Values{"video": {videoID}, "token": {token}}.Encode()),
	}, nil
}

// uploadExpiry is when a video's upload URLs stop accepting new uploads.
func (s *Service) uploadExpiry(createdAt time.Time) time.Time {
	return createdAt.Add(s.cfg.TTL).Truncate(time.Second)
}

// deleteAt is when a video that never received its upload is deleted.
func (s *Service) deleteAt(createdAt time.Time) time.Time {
	return s.uploadExpiry(createdAt).Add(s.cfg.AbandonAfter)
}

// authorize checks that token grants uploading videoID.
func (s *Service) authorize(videoID, token string) bool {
	c, err := s.keys.Verify(token, auth.PurposeUpload, s.now())
	return err == nil && c.VideoID == videoID
}

var errAlreadyUploaded = errors.New("this video's upload has already completed")
