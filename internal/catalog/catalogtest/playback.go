package catalogtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
)

// testPlaybackStats: beacons add into per-video, per-hour buckets (also
// when they race), and reads sum them per hour, in total, per rendition,
// per video or over every video, within the range asked for only.
func testPlaybackStats(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	a, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "alpha", OwnerID: "usr_a"})
	require.NoError(t, err)
	h0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

	// 8 concurrent beacons in one hour: each one view, 1 s watched on 720p.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, c.AddPlayback(ctx, a.ID, h0.Add(time.Duration(i)*time.Minute), catalog.PlaybackDelta{
				Views: 1, WatchMS: 1000, Startups: 1, StartupMS: 400,
				Renditions: map[int]catalog.RenditionDelta{720: {WatchMS: 1000, Bitrate: 2_000_000 + int64(i)}},
			}))
		}()
	}
	wg.Wait()
	require.NoError(t, c.AddPlayback(ctx, a.ID, h0.Add(time.Hour+5*time.Minute), catalog.PlaybackDelta{
		WatchMS: 3000, Rebuffers: 2, RebufferMS: 1500, Errors: 1,
		Renditions: map[int]catalog.RenditionDelta{360: {WatchMS: 3000, Bitrate: 600_000}},
	}))
	// Another video, and one outside the range read below.
	require.NoError(t, c.AddPlayback(ctx, "vid_other", h0.Add(30*time.Minute), catalog.PlaybackDelta{Views: 2, WatchMS: 500}))
	require.NoError(t, c.AddPlayback(ctx, a.ID, h0.Add(-time.Hour), catalog.PlaybackDelta{Views: 100}))

	s, err := c.PlaybackStats(ctx, a.ID, h0, h0.Add(24*time.Hour))
	require.NoError(t, err)
	require.Len(t, s.Hours, 2)
	require.Equal(t, h0, s.Hours[0].Hour)
	require.Equal(t, int64(8), s.Hours[0].Views)
	require.Equal(t, int64(8000), s.Hours[0].WatchMS)
	require.Equal(t, int64(3200), s.Hours[0].StartupMS)
	require.Equal(t, h0.Add(time.Hour), s.Hours[1].Hour)
	require.Equal(t, catalog.PlaybackBucket{Hour: h0, Views: 8, WatchMS: 11000, Startups: 8, StartupMS: 3200,
		Rebuffers: 2, RebufferMS: 1500, Errors: 1}, s.Total)
	require.Equal(t, []catalog.RenditionStat{{Height: 720, WatchMS: 8000, MaxBitrate: 2_000_007}, {Height: 360, WatchMS: 3000, MaxBitrate: 600_000}}, s.Renditions)

	all, err := c.PlaybackStats(ctx, "", h0, h0.Add(24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, int64(10), all.Total.Views)
	require.Equal(t, int64(11500), all.Total.WatchMS)
	require.Equal(t, int64(10), all.Hours[0].Views)

	top, err := c.TopPlayback(ctx, h0, h0.Add(24*time.Hour), 10)
	require.NoError(t, err)
	require.Equal(t, []catalog.VideoPlayback{{VideoID: a.ID, Title: "alpha", Views: 8, WatchMS: 11000}, {VideoID: "vid_other", Views: 2, WatchMS: 500}}, top)

	none, err := c.PlaybackStats(ctx, a.ID, h0.Add(48*time.Hour), h0.Add(72*time.Hour))
	require.NoError(t, err)
	require.Empty(t, none.Hours)
	require.Empty(t, none.Renditions)
	require.Zero(t, none.Total.Views)
}
