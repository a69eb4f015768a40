package upload

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSweepTus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := New(nil, nil, nil, nil, Config{TusDir: dir, TTL: time.Hour}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	now := time.Now()
	write := func(name string, age time.Duration) {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o600))
		require.NoError(t, os.Chtimes(p, now.Add(-age), now.Add(-age)))
	}
	write("old", 2*time.Hour)
	write("old.info", 2*time.Hour)
	write("old.lock", 2*time.Hour)
	write("busy", 10*time.Minute) // still receiving bytes
	write("busy.info", 3*time.Hour)
	write("fresh.info", time.Minute) // created, no bytes yet

	n, err := s.SweepTus(now)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	left, _ := os.ReadDir(dir)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	require.ElementsMatch(t, []string{"busy", "busy.info", "fresh.info"}, names)
}
