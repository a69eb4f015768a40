package catalogtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// testThroughput: videos that became ready since the start count in their
// bucket with their length and processing time; videos not ready, or
// ready before the start, do not.
func testThroughput(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	before := time.Now().Add(-time.Second)
	ready := func(seconds float64) {
		v, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "t", OwnerID: "o"})
		require.NoError(t, err)
		run, err := c.StartRun(ctx, v.ID, "raw/"+v.ID, 1)
		require.NoError(t, err)
		ok, err := c.BeginProcessing(ctx, v.ID, run)
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, c.SavePlan(ctx, v.ID, run, media.Source{Duration: seconds}, media.Plan{Kind: media.KindVideo},
			[]catalog.Step{{Name: "package", Weight: 1}}, 0))
		time.Sleep(20 * time.Millisecond) // some processing time
		ok, err = c.Publish(ctx, v.ID, run)
		require.NoError(t, err)
		require.True(t, ok)
	}
	ready(30)
	ready(12.5)
	_, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "waiting", OwnerID: "o"})
	require.NoError(t, err)

	// One bucket of two days holds both, whichever day boundary is near.
	got, err := c.Throughput(ctx, before, 48*time.Hour)
	require.NoError(t, err)
	var videos int64
	var media, spent float64
	for _, b := range got {
		videos += b.Videos
		media += b.MediaSeconds
		spent += b.ProcessingSeconds
		require.Zero(t, b.Start.UnixMilli()%(48*time.Hour).Milliseconds(), "buckets start on the grid")
	}
	require.EqualValues(t, 2, videos)
	require.InDelta(t, 42.5, media, 1e-9)
	require.Greater(t, spent, 0.03, "two videos of at least 20 ms each")
	require.Less(t, spent, 60.0)

	got, err = c.Throughput(ctx, time.Now().Add(time.Minute), time.Hour)
	require.NoError(t, err)
	require.Empty(t, got, "nothing became ready after the start")
	_, err = c.Throughput(ctx, before, 0)
	require.Error(t, err)
}

// testStorageSummary: sources and published media summed overall, per
// owner (with the user's email, none for an owner that is no user) and
// for the largest videos; videos with downloads are listed.
func testStorageSummary(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	u := mkUser(t, c, "storage-owner@example.com", access.RoleUploader)
	stored := func(owner string, source, mediaBytes int64) string {
		v, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "v-" + owner, OwnerID: owner})
		require.NoError(t, err)
		_, err = c.StartRun(ctx, v.ID, "raw/"+v.ID, source)
		require.NoError(t, err)
		require.NoError(t, c.SetMediaBytes(ctx, v.ID, mediaBytes))
		return v.ID
	}
	big := stored(u.ID, 1000, 5000)
	stored(u.ID, 100, 0)
	stored("api-key-owner", 300, 200)
	_, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "empty", OwnerID: u.ID})
	require.NoError(t, err)
	_, err = c.SetDownloads(ctx, big, true)
	require.NoError(t, err)

	s, err := c.Storage(ctx, 2)
	require.NoError(t, err)
	require.EqualValues(t, 4, s.Videos)
	require.EqualValues(t, 1400, s.SourceBytes)
	require.EqualValues(t, 5200, s.MediaBytes)
	require.Len(t, s.Owners, 2)
	require.Equal(t, catalog.OwnerStorage{OwnerID: u.ID, Email: "storage-owner@example.com", Videos: 3, SourceBytes: 1100, MediaBytes: 5000}, s.Owners[0])
	require.Equal(t, catalog.OwnerStorage{OwnerID: "api-key-owner", Videos: 1, SourceBytes: 300, MediaBytes: 200}, s.Owners[1])
	require.Len(t, s.Largest, 2, "bounded")
	require.Equal(t, big, s.Largest[0].ID)
	require.EqualValues(t, 6000, s.Largest[0].SourceBytes+s.Largest[0].MediaBytes)
	require.Equal(t, "v-api-key-owner", s.Largest[1].Title)
	require.Equal(t, []string{big}, s.DownloadIDs)
}
