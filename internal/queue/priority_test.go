package queue

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestPrioritize: on both databases, a waiting job matched by its args
// starts at once in the urgent queue even though every encode slot is busy,
// before the jobs queued ahead of it, with the note in its metadata;
// running and unmatched jobs are left alone.
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

			n, err := q.Prioritize(ctx, "hold", map[string]any{"name": "a"}, nil)
			require.NoError(t, err)
			require.Zero(t, n, "a running job is not moved")
			n, err = q.Prioritize(ctx, "hold", map[string]any{"name": "x"}, nil)
			require.NoError(t, err)
			require.Zero(t, n)
			n, err = q.Prioritize(ctx, "other", map[string]any{"name": "c"}, nil)
			require.NoError(t, err)
			require.Zero(t, n)
			n, err = q.Prioritize(ctx, "hold", map[string]any{"name": "c"}, map[string]any{"want": []string{"v0"}})
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
			testutil.PollUntil(t, 30*time.Second, "the prioritized job starts beside the running one", func() bool { return len(h.attempts()) == 2 })
			c := h.attempts()[1].job
			require.Equal(t, "c", c.Args.Name)
			require.Equal(t, QueueUrgent, c.Queue)
			require.JSONEq(t, `["v0"]`, string(gjson(t, c.Metadata, "want")))
			n, err = q.Prioritize(ctx, "hold", map[string]any{"name": "c"}, nil)
			require.NoError(t, err)
			require.Zero(t, n, "already at the front")
			require.Len(t, h.attempts(), 2, "the encode slot is still busy")

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

// gjson returns the raw JSON of key in the object doc.
func gjson(t *testing.T, doc []byte, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(doc, &m), "%s", doc)
	return m[key]
}
