package upload

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/storage/local"
	"github.com/kinema/kinema/internal/storage/s3"
)

// harness is an upload service on a real SQLite catalog whose start moves
// the video to queued, served over HTTP.
type harness struct {
	t     *testing.T
	s     *Service
	cat   *catalog.Catalog
	store storage.Store
	base  string
	dir   string

	mu    sync.Mutex
	clock time.Time // the catalog's clock (created_at of new videos)
}

func newHarness(t *testing.T, store storage.Store, cfg Config) *harness {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := catalog.OpenSQLite(filepath.Join(dir, "kinema.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, catalog.Migrate(ctx, db, "sqlite3"))
	h := &harness{t: t, store: store, dir: dir, clock: time.Now()}
	h.cat = catalog.New(db, func() time.Time {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.clock
	})
	if h.store == nil {
		h.store, err = local.New(filepath.Join(dir, "store"))
		require.NoError(t, err)
	}
	keys, err := auth.LoadOrCreateKeys(filepath.Join(dir, "keys"))
	require.NoError(t, err)
	start := func(ctx context.Context, id, key string, size int64) error {
		_, err := h.cat.StartRun(ctx, id, key, size)
		return err
	}
	cfg.TusDir = filepath.Join(dir, "tus")
	h.s, err = New(h.cat, h.store, keys, start, cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.s.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	h.base = srv.URL
	return h
}

// video creates a video as if created age ago and returns it with its grant.
func (h *harness) video(age time.Duration) (media.Video, Grant) {
	h.mu.Lock()
	h.clock = time.Now().Add(-age)
	h.mu.Unlock()
	defer func() { h.mu.Lock(); h.clock = time.Now(); h.mu.Unlock() }()
	v, err := h.cat.CreateVideo(context.Background(), catalog.NewVideo{Title: "t"})
	require.NoError(h.t, err)
	g, err := h.s.Grant(h.base, v.ID, v.CreatedAt)
	require.NoError(h.t, err)
	return v, g
}

func (h *harness) status(id string) media.Status {
	v, err := h.cat.Video(context.Background(), id)
	if err != nil {
		return ""
	}
	return v.Status
}

// tusReq sends one tus request and returns the response (body read).
func (h *harness) tusReq(method, url string, headers map[string]string, body []byte) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(h.t, err)
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/offset+octet-stream")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(h.t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// create starts a tus upload of size bytes (extra headers e.g. Upload-Concat)
// and returns its URL.
func (h *harness) create(endpoint string, size int, extra map[string]string) (string, int) {
	headers := map[string]string{"Upload-Metadata": "filename " + base64.StdEncoding.EncodeToString([]byte("f.mp4"))}
	if size >= 0 {
		headers["Upload-Length"] = strconv.Itoa(size)
	}
	for k, v := range extra {
		headers[k] = v
	}
	resp := h.tusReq(http.MethodPost, endpoint, headers, nil)
	return resp.Header.Get("Location"), resp.StatusCode
}

func (h *harness) patch(url string, offset int, data []byte) *http.Response {
	if data == nil {
		data = []byte{}
	}
	return h.tusReq(http.MethodPatch, url, map[string]string{"Upload-Offset": strconv.Itoa(offset)}, data)
}

func (h *harness) head(url string) *http.Response {
	return h.tusReq(http.MethodHead, url, nil, nil)
}

// source returns the bytes of the video's stored source.
func (h *harness) source(id string) []byte {
	h.t.Helper()
	key, _, err := h.cat.Source(context.Background(), id)
	require.NoError(h.t, err)
	obj, err := h.store.Open(context.Background(), key)
	require.NoError(h.t, err)
	defer obj.Close()
	b, err := io.ReadAll(obj)
	require.NoError(h.t, err)
	return b
}

func (h *harness) tusFiles() []string {
	entries, err := os.ReadDir(h.s.cfg.TusDir)
	require.NoError(h.t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// s3Store opens a fresh bucket on the S3-compatible server that
// scripts/test-integration.sh starts; without one the test skips, unless
// KINEMA_REQUIRE_S3=1 makes that a failure.
func s3Store(t *testing.T) *s3.Store {
	t.Helper()
	endpoint := os.Getenv("KINEMA_TEST_S3_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("KINEMA_REQUIRE_S3") == "1" {
			t.Fatal("KINEMA_REQUIRE_S3=1 but KINEMA_TEST_S3_ENDPOINT is not set; run under scripts/test-integration.sh")
		}
		t.Skip("KINEMA_TEST_S3_ENDPOINT not set; run under scripts/test-integration.sh")
	}
	region := os.Getenv("KINEMA_TEST_S3_REGION")
	if region == "" {
		region = "us-east-1"
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	st, err := s3.New(context.Background(), s3.Config{
		Bucket: "kt-up-" + hex.EncodeToString(b), Region: region, Endpoint: endpoint, PathStyle: true,
		AccessKey: os.Getenv("KINEMA_TEST_S3_ACCESS_KEY"), SecretKey: os.Getenv("KINEMA_TEST_S3_SECRET_KEY"),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.DeletePrefix(context.Background(), "") })
	return st
}
