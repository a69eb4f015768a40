package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
)

// TestMetricsOnlyOnTheirOwnListener: the public listener never serves
// metrics; they are on --metrics-addr (loopback by default, and not the
// worker's default port), off turns them off, and a worker keeps them on
// its private listener unless told otherwise.
func TestMetricsOnlyOnTheirOwnListener(t *testing.T) {
	t.Parallel()
	def := config.Default().MetricsAddr
	host, port, err := net.SplitHostPort(def)
	require.NoError(t, err)
	require.True(t, netip.MustParseAddr(host).IsLoopback(), def)
	require.NotEqual(t, "9090", port, "serve's metrics must not take the worker's default address")

	s := setup(t)
	code, body := get(t, s.base+"/metrics")
	require.NotContains(t, string(body), "kinema_", "public /metrics answered %d with metrics", code)
	mhost, _, err := net.SplitHostPort(s.main.MetricsAddr)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", mhost)
	// The request above is counted once its handler returns, which on a busy
	// machine can be after its client has the answer.
	testutil.PollUntil(t, 5*time.Second, "the public request counted on the metrics listener", func() bool {
		code, body = get(t, "http://"+s.main.MetricsAddr+"/metrics")
		require.Equal(t, http.StatusOK, code)
		return strings.Contains(string(body), "kinema_http_requests_total")
	})

	off := setupWith(t, func(c *config.Config) { c.MetricsAddr = "off" })
	require.Empty(t, off.main.MetricsAddr)
	_, body = get(t, off.base+"/metrics")
	require.NotContains(t, string(body), "kinema_")

	// A worker: /metrics with /healthz on its private address.
	cfg := config.Default()
	cfg.Addr, cfg.MetricsAddr, cfg.DataDir, cfg.Workers = "127.0.0.1:0", "", t.TempDir(), 1
	cfg.SRTAddr, cfg.RTMPAddr = "", ""
	cfg.DB = testutil.PostgresURL(t) // workers need PostgreSQL
	w := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler), WorkerOnly: true}
	require.NoError(t, w.Run(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, w.Close(ctx))
	})
	require.Empty(t, w.MetricsAddr)
	code, body = get(t, "http://"+w.Addr+"/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(body), "kinema_queue_stats_success")
	require.True(t, strings.HasPrefix(w.Addr, "127.0.0.1:"))
}
