package queue

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/testutil"
)

// TestWakeOnSQLite: with a poll interval far longer than the test allows,
// a job inserted in a transaction, and a waiting job moved to the urgent
// queue, start soon after the commit: the process wakes its own workers
// (wake.go) instead of waiting for the next poll. Beside CPU load.
func TestWakeOnSQLite(t *testing.T) {
	t.Parallel()
	testutil.BurnCPU(t, 2)
	const poll = 20 * time.Second
	ctx := context.Background()
	db := migratedSQLite(t)
	h := &holdWorkers{release: make(chan struct{})}
	var q *Queue
	q, err := NewSQLite(db, catalog.New(db, nil), h.register("solo", &q), Config{Concurrency: 1, ID: "solo", PollInterval: poll})
	require.NoError(t, err)
	require.NoError(t, q.Start(ctx))
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(stop)
	})
	time.Sleep(time.Second) // the producers' first fetches, at start, are over

	started := func(n int, what string, since time.Time) {
		t.Helper()
		testutil.PollUntil(t, poll/2, what, func() bool { return len(h.attempts()) == n })
		require.Less(t, time.Since(since), poll/4, "%s: waited for a poll", what)
	}
	insert := func(names ...string) {
		var jobs []river.InsertManyParams
		for _, n := range names {
			jobs = append(jobs, river.InsertManyParams{Args: holdArgs{Name: n}, InsertOpts: &river.InsertOpts{Priority: PriorityLater}})
		}
		require.NoError(t, q.InTx(ctx, func(tx *Tx) error { return tx.Insert(ctx, jobs...) }))
	}
	t0 := time.Now()
	insert("a", "b")
	started(1, "the inserted job starts", t0)
	require.Equal(t, "a", h.attempts()[0].job.Args.Name)

	// b waits behind a (one slot); moved to the urgent queue, it starts.
	t0 = time.Now()
	n, err := q.Prioritize(ctx, "hold", map[string]any{"name": "b"}, nil)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	started(2, "the prioritized job starts", t0)
	require.Equal(t, "b", h.attempts()[1].job.Args.Name)
	close(h.release)
}
