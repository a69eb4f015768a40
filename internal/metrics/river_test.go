package metrics_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/kinema/kinema/internal/metrics"
)

type flakyArgs struct{}

func (flakyArgs) Kind() string { return "flaky" }

// TestRiverMiddlewareInClient runs real River on SQLite, to prove the
// middleware is installed through river.Config.Middleware and sees every
// attempt: one that errors (retry), then one that completes.
func TestRiverMiddlewareInClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "q.db")+"?_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	migrator, err := rivermigrate.New(riversqlite.New(db), nil)
	require.NoError(t, err)
	_, err = migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	require.NoError(t, err)

	m := metrics.New()
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[flakyArgs]) error {
		if job.Attempt == 1 {
			return errors.New("transient")
		}
		return nil
	}))
	client, err := river.NewClient(riversqlite.New(db), &river.Config{
		Workers:           workers,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}},
		Middleware:        []rivertype.Middleware{m.RiverMiddleware()},
		PollOnly:          true,
		Logger:            slog.New(slog.DiscardHandler),
		FetchPollInterval: 20 * time.Millisecond,
		FetchCooldown:     20 * time.Millisecond,
		// Retry at once instead of River's backoff of seconds.
		RetryPolicy: retryNow{},
	})
	require.NoError(t, err)
	done, cancel := client.Subscribe(river.EventKindJobCompleted)
	defer cancel()
	require.NoError(t, client.Start(ctx))
	t.Cleanup(func() { _ = client.Stop(context.Background()) })

	_, err = client.Insert(ctx, flakyArgs{}, &river.InsertOpts{MaxAttempts: 3})
	require.NoError(t, err)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("job did not complete")
	}
	require.NoError(t, client.Stop(ctx))

	s := scrape(t, m)
	require.Equal(t, 1.0, s[`kinema_jobs_total{kind="flaky",outcome="retry"}`])
	require.Equal(t, 1.0, s[`kinema_jobs_total{kind="flaky",outcome="completed"}`])
	require.Equal(t, 0.0, s[`kinema_jobs_running{kind="flaky"}`])
}

type retryNow struct{}

func (retryNow) NextRetry(*rivertype.JobRow) time.Time { return time.Now() }
