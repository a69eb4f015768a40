package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
)

// TestWorkerRefusesSQLite: `kinema worker` on a SQLite catalog would encode
// beside the serve process that owns the file; it refuses to start.
func TestWorkerRefusesSQLite(t *testing.T) {
	cfg := config.Default()
	cfg.Addr, cfg.DataDir, cfg.Workers = "127.0.0.1:0", t.TempDir(), 1
	w := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler), WorkerOnly: true}
	err := w.Run(context.Background())
	require.ErrorContains(t, err, "kinema worker needs PostgreSQL")
	require.NoError(t, w.Close(context.Background()))
}
