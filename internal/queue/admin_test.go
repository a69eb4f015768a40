package queue

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

type failArgs struct{}

func (failArgs) Kind() string { return "fail" }

// TestOverviewAndRetry, on both databases: jobs are counted per kind and
// state, the working process is listed alive with the job it holds, a
// stopped one is listed as gone; a failed job runs again on RetryJob,
// while retrying a running or unknown job is refused.
func TestOverviewAndRetry(t *testing.T) {
	for name, backend := range map[string]leaseBackend{"sqlite": sqliteBackend, "postgres": postgresBackend} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			open := backend(t)
			h := &holdWorkers{release: make(chan struct{})}
			var q *Queue
			w := h.register("worker-a", &q)
			var fails atomic.Int32
			river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[failArgs]) error {
				fails.Add(1)
				return river.JobCancel(errors.New("this file is no good"))
			}))
			q = open(t, "worker-a", w)
			require.NoError(t, q.InTx(ctx, func(tx *Tx) error {
				// One job at a time (Concurrency 1): the failing one first.
				return tx.Insert(ctx, river.InsertManyParams{Args: failArgs{}},
					river.InsertManyParams{Args: holdArgs{Name: "a"}}, river.InsertManyParams{Args: holdArgs{Name: "b"}})
			}))
			require.NoError(t, q.Start(ctx))
			t.Cleanup(func() {
				stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = q.Stop(stop)
			})
			testutil.PollUntil(t, 30*time.Second, "a hold job runs and the failing job is cancelled", func() bool {
				return len(h.attempts()) == 1 && fails.Load() == 1
			})
			var o Overview
			testutil.PollUntil(t, 30*time.Second, "the overview shows it", func() bool {
				var err error
				o, err = q.Overview(ctx)
				require.NoError(t, err)
				return count(o, "fail", "cancelled") == 1 && count(o, "hold", "running") == 1
			})
			require.EqualValues(t, 1, count(o, "hold", "available"), "%+v", o.Counts)
			require.Equal(t, DefaultLeaseTTL.Seconds(), o.LeaseSeconds)
			require.Len(t, o.Workers, 1)
			require.Equal(t, "worker-a", o.Workers[0].ID)
			require.True(t, o.Workers[0].Alive)
			require.NotNil(t, o.Workers[0].LastSeen)
			require.EqualValues(t, 1, o.Workers[0].Running)

			jobs, err := q.Jobs(ctx, "cancelled", 10)
			require.NoError(t, err)
			require.Len(t, jobs, 1)
			failed := jobs[0]
			require.Contains(t, failed.LastError, "this file is no good")
			running, err := q.Jobs(ctx, "running", 10)
			require.NoError(t, err)
			require.Len(t, running, 1)
			_, err = q.RetryJob(ctx, running[0].ID)
			require.ErrorIs(t, err, media.ErrConflict, "a running job is not retried")
			_, err = q.RetryJob(ctx, 987654321)
			require.ErrorIs(t, err, media.ErrNotFound)

			again, err := q.RetryJob(ctx, failed.ID)
			require.NoError(t, err)
			require.Equal(t, failed.ID, again.ID)
			require.Contains(t, []string{"available", "running", "cancelled"}, again.State)
			close(h.release) // the hold jobs finish, then the retried job runs
			testutil.PollUntil(t, 30*time.Second, "the retried job runs again", func() bool { return fails.Load() == 2 })

			stop, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			testutil.PollUntil(t, 30*time.Second, "the hold jobs finish", func() bool {
				o, err := q.Overview(ctx)
				require.NoError(t, err)
				return count(o, "hold", "completed") == 2
			})
			require.NoError(t, q.Stop(stop))
			o, err = q.Overview(ctx)
			require.NoError(t, err)
			require.Len(t, o.Workers, 1)
			require.False(t, o.Workers[0].Alive, "a stopped worker is not alive")
			require.Nil(t, o.Workers[0].LastSeen)
		})
	}
}

func count(o Overview, kind, state string) int64 {
	for _, c := range o.Counts {
		if c.Kind == kind && c.State == state {
			return c.Count
		}
	}
	return 0
}
