package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

// TestPostgres runs the whole VOD path with the catalog and the job queue on
// PostgreSQL (skipped without KINEMA_TEST_POSTGRES_URL, required in CI).
func TestPostgres(t *testing.T) {
	t.Parallel()
	url := testutil.PostgresURL(t)
	s := setupWith(t, func(c *config.Config) { c.DB = url })
	v := s.uploadAndWait("on postgres", testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 5}))
	require.Equal(t, "ready", v.Status, v.Error)
	checkPlayback(t, v, 2)

	bad := s.uploadAndWait("corrupt on postgres", testutil.MakeCorrupt(t))
	require.Equal(t, "failed", bad.Status)
	require.NotEmpty(t, bad.Error)

	var list struct{ Videos []video }
	require.Equal(t, http.StatusOK, s.api(http.MethodGet, "/api/v1/videos?status=ready", nil, &list))
	require.Len(t, list.Videos, 1)
	require.Equal(t, v.ID, list.Videos[0].ID)

	// The queue-depth query has its own PostgreSQL form.
	code, metrics := get(t, "http://"+s.main.MetricsAddr+"/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(metrics), "kinema_queue_stats_success 1")
}

// TestConcurrentStartMigrates: an API node and workers starting at the same
// moment on an empty database all come up (migrations run one at a time).
func TestConcurrentStartMigrates(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.DB, cfg.DataDir = testutil.PostgresURL(t), t.TempDir()
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			be, err := openBackends(context.Background(), cfg)
			if err == nil {
				be.close()
			}
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
}
