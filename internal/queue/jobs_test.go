package queue

import (
	"context"
	"testing"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"
)

// TestOutstanding: on both databases, the unfinished jobs of a kind are
// found by one field of their args, up to the limit.
func TestOutstanding(t *testing.T) {
	for name, backend := range map[string]leaseBackend{"sqlite": sqliteBackend, "postgres": postgresBackend} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			h := &holdWorkers{release: make(chan struct{})}
			var q *Queue
			q = backend(t)(t, "worker", h.register("worker", &q))
			var jobs []river.InsertManyParams
			for _, n := range []string{"a", "a", "a", "b"} {
				jobs = append(jobs, river.InsertManyParams{Args: holdArgs{Name: n}})
			}
			require.NoError(t, q.InTx(ctx, func(tx *Tx) error { return tx.Insert(ctx, jobs...) }))
			for _, c := range []struct {
				kind, value string
				limit, want int
			}{{"hold", "a", 10, 3}, {"hold", "a", 2, 2}, {"hold", "b", 10, 1}, {"hold", "c", 10, 0}, {"other", "a", 10, 0}} {
				args, err := q.Outstanding(ctx, c.kind, "name", c.value, c.limit)
				require.NoError(t, err)
				require.Len(t, args, c.want, "%+v", c)
				for _, a := range args {
					require.JSONEq(t, `{"name":"`+c.value+`"}`, string(a))
				}
			}
		})
	}
}
