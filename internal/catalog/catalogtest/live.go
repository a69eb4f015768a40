package catalogtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// testLiveStreams: live stream state round-trips on both engines (the
// ingest node writes it, every API node reads it); keys are unique.
func testLiveStreams(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	created := time.UnixMilli(1_700_000_000_123).UTC()
	a := media.LiveStream{ID: "streama", Title: "A", OwnerID: "u1", Status: media.LiveIdle, StreamKey: "key-a", CreatedAt: created}
	require.NoError(t, c.CreateLiveStream(ctx, a))
	b := a
	b.ID, b.StreamKey, b.CreatedAt = "streamb", "key-b", created.Add(time.Second)
	require.NoError(t, c.CreateLiveStream(ctx, b))
	dup := a
	dup.ID = "streamc"
	require.ErrorIs(t, c.CreateLiveStream(ctx, dup), media.ErrConflict, "a key belongs to one stream")

	got, err := c.LiveStream(ctx, "streama")
	require.NoError(t, err)
	require.Equal(t, a, got)
	_, err = c.LiveStream(ctx, "nosuch")
	require.ErrorIs(t, err, media.ErrNotFound)
	_, err = c.LiveStreamByKey(ctx, "nokey")
	require.ErrorIs(t, err, media.ErrNotFound)

	a.Status, a.Connected, a.Node, a.Passphrase = media.LiveLive, true, "host:/data/live", "sixteen-chars-ok"
	a.StartedAt, a.EndedAt = created.Add(time.Minute), created.Add(time.Hour)
	a.Renditions = []media.Rendition{{ID: "v0", Type: media.KindVideo, Width: 1280, Height: 720, Bitrate: 3_000_000}}
	a.Health = &media.LiveHealth{InputBitrate: 2_500_000, FPS: 29.97, Viewers: 3, UpdatedAt: created.Add(2 * time.Minute)}
	a.VideoID, a.Error, a.EndRequested, a.Restream = "vid1", "why", true, []string{"rtmp://a.example/live/k"}
	require.NoError(t, c.SaveLiveStream(ctx, a))
	got, err = c.LiveStreamByKey(ctx, "key-a")
	require.NoError(t, err)
	require.Equal(t, a, got)

	a.StreamKey = "key-b"
	require.ErrorIs(t, c.SaveLiveStream(ctx, a), media.ErrConflict, "a rotated key must be unused")
	missing := a
	missing.ID, missing.StreamKey = "nosuch", "key-z"
	require.ErrorIs(t, c.SaveLiveStream(ctx, missing), media.ErrNotFound)

	list, err := c.LiveStreams(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, []string{"streamb", "streama"}, []string{list[0].ID, list[1].ID}, "newest first")
}
