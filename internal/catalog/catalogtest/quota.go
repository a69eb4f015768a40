package catalogtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// testProcessedSeconds: an owner's processed seconds are the durations of
// their videos whose processing started within the period, the packaged
// duration once SetDuration recorded it, minus the video being checked.
func testProcessedSeconds(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	started := func(owner string, seconds float64) string {
		v, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "q", OwnerID: owner})
		require.NoError(t, err)
		run, err := c.StartRun(ctx, v.ID, "raw/"+v.ID, 1)
		require.NoError(t, err)
		ok, err := c.BeginProcessing(ctx, v.ID, run)
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, c.SavePlan(ctx, v.ID, run, media.Source{Duration: 10 * seconds}, media.Plan{Kind: media.KindVideo},
			[]catalog.Step{{Name: "package", Weight: 1}}, 0))
		require.NoError(t, c.SetDuration(ctx, v.ID, run, seconds))
		return v.ID
	}
	a := started("alice", 40.5)
	started("alice", 20)
	started("bob", 1000)
	_, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "never processed", OwnerID: "alice"})
	require.NoError(t, err)

	got, err := c.ProcessedSeconds(ctx, "alice", time.Hour, "")
	require.NoError(t, err)
	require.InDelta(t, 60.5, got, 1e-9, "the packaged durations, not what probing claimed")
	got, err = c.ProcessedSeconds(ctx, "alice", time.Hour, a)
	require.NoError(t, err)
	require.InDelta(t, 20, got, 1e-9, "the video checked does not count itself")
	got, err = c.ProcessedSeconds(ctx, "carol", time.Hour, "")
	require.NoError(t, err)
	require.Zero(t, got)
}
