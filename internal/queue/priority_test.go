package queue

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestPrioritize: on both databases, a waiting job matched by its args
// runs before the jobs queued ahead of it; running and unmatched jobs are
// left alone.
func TestPrioritize(t *testing.T) {
	for name, backend := range map[string]leaseBackend{"sqlite": sqliteBackend, "postgres": postgresBackend} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			h := &holdWorkers{release: make(chan struct{})}
			var q *Queue
			q = backend(t)(t, "worker", h.register("worker", &q))
			var jobs []river.InsertManyParams
			for _, n := range []string{"a", "b", "c"} {
				jobs = append(jobs, river.InsertManyParams{Args: holdArgs{Name: n}, InsertOpts: &river.InsertOpts{Priority: PriorityLater}})
			}
			require.NoError(t, q.InTx(ctx, func(tx *Tx) error { return tx.Insert(ctx, jobs...) }))
			require.NoError(t, q.Start(ctx))
			t.Cleanup(func() {
				stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = q.Stop(stop)
			})
			testutil.PollUntil(t, 30*time.Second, "the first job starts", func() bool { return len(h.attempts()) == 1 })
			require.Equal(t, "a", h.attempts()[0].job.Args.Name)

			n, err := q.Prioritize(ctx, "hold", map[string]any{"name": "a"})
			require.NoError(t, err)
			require.Zero(t, n, "a running job is not moved")
			n, err = q.Prioritize(ctx, "hold", map[string]any{"name": "x"})
			require.NoError(t, err)
			require.Zero(t, n)
			n, err = q.Prioritize(ctx, "other", map[string]any{"name": "c"})
			require.NoError(t, err)
			require.Zero(t, n)
			n, err = q.Prioritize(ctx, "hold", map[string]any{"name": "c"})
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
			n, err = q.Prioritize(ctx, "hold", map[string]any{"name": "c"})
			require.NoError(t, err)
			require.Zero(t, n, "already at the front")

			close(h.release)
			testutil.PollUntil(t, 30*time.Second, "every job runs", func() bool { return len(h.attempts()) == 3 })
			var order []string
			for _, a := range h.attempts() {
				order = append(order, a.job.Args.Name)
			}
			require.Equal(t, []string{"a", "c", "b"}, order)
		})
	}
}
