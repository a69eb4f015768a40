package catalogtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// testAbandonedUploads: only videos still waiting for their upload and old
// enough are listed and deleted; an upload that started wins.
func testAbandonedUploads(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	a, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "a"})
	require.NoError(t, err)
	b, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "b"})
	require.NoError(t, err)
	started, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "s"})
	require.NoError(t, err)
	_, err = c.StartRun(ctx, started.ID, "raw/x", 1)
	require.NoError(t, err)

	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	ids, err := c.AbandonedUploads(ctx, past, 10)
	require.NoError(t, err)
	require.Empty(t, ids, "too young")
	ids, err = c.AbandonedUploads(ctx, future, 10)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{a.ID, b.ID}, ids)
	ids, err = c.AbandonedUploads(ctx, future, 1)
	require.NoError(t, err)
	require.Len(t, ids, 1)

	ok, err := c.DeleteAbandonedVideo(ctx, a.ID, past)
	require.NoError(t, err)
	require.False(t, ok, "too young")
	ok, err = c.DeleteAbandonedVideo(ctx, started.ID, future)
	require.NoError(t, err)
	require.False(t, ok, "its upload completed")
	ok, err = c.DeleteAbandonedVideo(ctx, a.ID, future)
	require.NoError(t, err)
	require.True(t, ok)
	_, err = c.Video(ctx, a.ID)
	require.ErrorIs(t, err, media.ErrNotFound)
	_, err = c.Video(ctx, started.ID)
	require.NoError(t, err)
}
