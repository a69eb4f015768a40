package pipeline

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/testutil"
)

// TestJobThatKillsItsWorkersFailsTheRun: a job requeued after its workers
// died MaxAttempts times (the lease's count in its metadata) is not run a
// further time; its video fails with a sentence that says why.
func TestJobThatKillsItsWorkersFailsTheRun(t *testing.T) {
	b := setup(t, 1, nil) // MaxAttempts: 2
	ctx := context.Background()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	v, err := b.cat.CreateVideo(ctx, catalog.NewVideo{Title: "killer"})
	require.NoError(t, err)
	f, err := os.Open(src)
	require.NoError(t, err)
	defer f.Close()
	key := "raw/" + v.ID + "/source"
	info, err := b.store.Store.Put(ctx, key, f)
	require.NoError(t, err)

	p := b.pipes[0]
	require.NoError(t, p.queue.InTx(ctx, func(tx *queue.Tx) error {
		run, err := tx.Catalog.StartRun(ctx, v.ID, key, info.Size)
		if err != nil {
			return err
		}
		return tx.Insert(ctx, river.InsertManyParams{Args: ProbeArgs{Ref{v.ID, run}}, InsertOpts: &river.InsertOpts{
			MaxAttempts: 2, Metadata: []byte(`{"kinema_workers_lost": 2}`),
		}})
	}))
	testutil.PollUntil(t, time.Minute, "the video fails", func() bool {
		v, err = b.cat.Video(ctx, v.ID)
		require.NoError(t, err)
		return v.Status == media.StatusFailed
	})
	require.Contains(t, v.Error, "the worker running the probe step died 2 times")
	require.NotContains(t, b.logs.String(), "planned", "the probe did not run")
}
