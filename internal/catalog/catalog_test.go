package catalog_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

func setup(t *testing.T) *catalog.Catalog {
	t.Helper()
	db, err := catalog.OpenSQLite(filepath.Join(t.TempDir(), "k.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, catalog.Migrate(context.Background(), db, "sqlite3"))
	return catalog.New(db, "sqlite3", nil)
}

func TestVideoLifecycle(t *testing.T) {
	t.Parallel()
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
	steps := []catalog.Step{{"chunk-0", 5}, {"chunk-1", 5}, {"audio", 1}, {"package", 1}}
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

func TestFailAndRequeue(t *testing.T) {
	t.Parallel()
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

func TestListAndKeys(t *testing.T) {
	t.Parallel()
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
