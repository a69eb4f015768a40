package catalogtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// Run checks the catalog contract against fresh catalogs from newCatalog,
// so SQLite and PostgreSQL behave the same.
func Run(t *testing.T, newCatalog func(t *testing.T) *catalog.Catalog) {
	for name, fn := range map[string]func(*testing.T, func(*testing.T) *catalog.Catalog){
		"VideoLifecycle": testVideoLifecycle, "FailAndRequeue": testFailAndRequeue, "ListAndKeys": testListAndKeys,
		"ConcurrentFanIn": testConcurrentFanIn,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newCatalog)
		})
	}
}

func testVideoLifecycle(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)

	v, err := c.CreateVideo(ctx, "Holiday 100%_fun")
	require.NoError(t, err)
	require.Equal(t, media.StatusWaitingUpload, v.Status)

	run, err := c.StartRun(ctx, v.ID, "raw/x", 42)
	require.NoError(t, err)
	require.Equal(t, 1, run)
	_, err = c.StartRun(ctx, v.ID, "raw/y", 42)
	require.ErrorIs(t, err, media.ErrConflict, "an upload completes once")

	ok, err := c.BeginProcessing(ctx, v.ID, run+1)
	require.NoError(t, err)
	require.False(t, ok, "stale run")
	ok, err = c.BeginProcessing(ctx, v.ID, run)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, c.SetStepProgress(ctx, v.ID, run, "probe", 0.5))
	v, _ = c.Video(ctx, v.ID)
	require.InDelta(t, 0.015, v.Progress, 1e-6)

	_, err = c.FinishStep(ctx, v.ID, run, "probe")
	require.NoError(t, err)
	before, _ := c.Video(ctx, v.ID)
	steps := []catalog.Step{{Name: "chunk-0", Weight: 5}, {Name: "chunk-1", Weight: 5}, {Name: "audio", Weight: 1}, {Name: "package", Weight: 1}}
	require.NoError(t, c.SavePlan(ctx, v.ID, run, media.Source{Duration: 3, Width: 320, Height: 180},
		media.Plan{Kind: media.KindVideo}, steps, 3))
	after, _ := c.Video(ctx, v.ID)
	require.GreaterOrEqual(t, after.Progress, before.Progress, "progress never moves back")
	require.Equal(t, 320, after.Width)

	var lasts int
	for _, s := range []string{"chunk-0", "chunk-1", "chunk-1", "audio", "audio"} { // retries finish twice
		last, err := c.FinishParallelStep(ctx, v.ID, run, s)
		require.NoError(t, err)
		if last {
			lasts++
		}
	}
	require.Equal(t, 1, lasts, "exactly one finisher starts packaging")

	require.NoError(t, c.SaveRenditions(ctx, v.ID, run, []media.Rendition{{ID: "v0", Type: media.KindVideo, Width: 320}}))
	ok, err = c.Publish(ctx, v.ID, run)
	require.NoError(t, err)
	require.True(t, ok)
	v, _ = c.Video(ctx, v.ID)
	require.Equal(t, media.StatusReady, v.Status)
	require.Equal(t, 1.0, v.Progress)
	require.Len(t, v.Renditions, 1)
	pub, err := c.IsPublished(ctx, v.ID)
	require.NoError(t, err)
	require.True(t, pub)

	ok, err = c.Fail(ctx, v.ID, run, "too late")
	require.NoError(t, err)
	require.False(t, ok, "a ready video cannot fail")
}

func testFailAndRequeue(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	v, _ := c.CreateVideo(ctx, "bad")
	_, err := c.Requeue(ctx, v.ID)
	require.ErrorIs(t, err, media.ErrConflict)
	run, _ := c.StartRun(ctx, v.ID, "raw/bad", 1)
	ok, err := c.Fail(ctx, v.ID, run, "The file is not a media file.")
	require.NoError(t, err)
	require.True(t, ok)
	v, _ = c.Video(ctx, v.ID)
	require.Equal(t, media.StatusFailed, v.Status)
	require.Equal(t, "The file is not a media file.", v.Error)

	run2, err := c.Requeue(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, run+1, run2)
	v, _ = c.Video(ctx, v.ID)
	require.Equal(t, media.StatusQueued, v.Status)
	require.Empty(t, v.Error)
}

func testListAndKeys(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	a, _ := c.CreateVideo(ctx, "Alpha")
	time.Sleep(2 * time.Millisecond)
	b, _ := c.CreateVideo(ctx, "beta 50%")
	_, err := c.StartRun(ctx, b.ID, "raw/b", 1)
	require.NoError(t, err)

	all, err := c.ListVideos(ctx, catalog.ListFilter{})
	require.NoError(t, err)
	require.Equal(t, []string{b.ID, a.ID}, []string{all[0].ID, all[1].ID})
	q, _ := c.ListVideos(ctx, catalog.ListFilter{Status: media.StatusQueued})
	require.Len(t, q, 1)
	s, _ := c.ListVideos(ctx, catalog.ListFilter{Query: "50%"})
	require.Len(t, s, 1)
	s, _ = c.ListVideos(ctx, catalog.ListFilter{Query: "%"})
	require.Len(t, s, 1, "LIKE wildcards are escaped")

	k, err := c.CreateAPIKey(ctx, "admin", "hash1", true)
	require.NoError(t, err)
	k2, err := c.CreateAPIKey(ctx, "admin", "hash1", true)
	require.NoError(t, err)
	require.Equal(t, k.ID, k2.ID)
	got, err := c.APIKeyByHash(ctx, "hash1")
	require.NoError(t, err)
	require.True(t, got.IsAdmin)
	_, err = c.APIKeyByHash(ctx, "nope")
	require.ErrorIs(t, err, media.ErrUnauthorized)

	require.NoError(t, c.DeleteVideo(ctx, a.ID))
	require.ErrorIs(t, c.DeleteVideo(ctx, a.ID), media.ErrNotFound)
}

// testConcurrentFanIn: many finishers at once, exactly one sees the counter
// reach zero (the row lock serialises them on PostgreSQL).
func testConcurrentFanIn(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	v, err := c.CreateVideo(ctx, "fan")
	require.NoError(t, err)
	run, err := c.StartRun(ctx, v.ID, "raw/x", 1)
	require.NoError(t, err)
	ok, err := c.BeginProcessing(ctx, v.ID, run)
	require.NoError(t, err)
	require.True(t, ok)
	const n = 12
	var steps []catalog.Step
	for i := range n {
		steps = append(steps, catalog.Step{Name: fmt.Sprintf("chunk-%d", i), Weight: 1})
	}
	require.NoError(t, c.SavePlan(ctx, v.ID, run, media.Source{Duration: 1}, media.Plan{}, steps, n))
	var wg sync.WaitGroup
	var mu sync.Mutex
	lasts := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last, err := c.FinishParallelStep(ctx, v.ID, run, fmt.Sprintf("chunk-%d", i))
			require.NoError(t, err)
			if last {
				mu.Lock()
				lasts++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 1, lasts)
}
