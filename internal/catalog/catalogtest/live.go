package catalogtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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

	// Nodes taking the first publish of one idle stream at once: one wins.
	var wins atomic.Int32
	var winner atomic.Value
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			node := fmt.Sprintf("node-%d", i)
			ok, err := c.ClaimLiveStream(ctx, "streamb", node, created.Add(time.Minute))
			assert.NoError(t, err)
			if ok {
				wins.Add(1)
				winner.Store(node)
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, 1, wins.Load())
	got, err = c.LiveStream(ctx, "streamb")
	require.NoError(t, err)
	require.Equal(t, media.LiveLive, got.Status)
	require.Equal(t, winner.Load(), got.Node)
	require.Equal(t, created.Add(time.Minute), got.StartedAt)
	ok, err := c.ClaimLiveStream(ctx, "streama", "node-x", created)
	require.NoError(t, err)
	require.False(t, ok, "not idle")
	ok, err = c.ClaimLiveStream(ctx, "nosuch", "node-x", created)
	require.NoError(t, err)
	require.False(t, ok)

	list, err := c.LiveStreams(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, []string{"streamb", "streama"}, []string{list[0].ID, list[1].ID}, "newest first")
}

// testLiveRestreams: restream destinations (secret URL included) round-trip
// on both engines; status updates touch only their row; deleting a stream
// deletes its destinations.
func testLiveRestreams(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	created := time.UnixMilli(1_700_000_000_123).UTC()
	require.NoError(t, c.CreateLiveStream(ctx, media.LiveStream{ID: "s1", Status: media.LiveIdle, StreamKey: "k1", CreatedAt: created}))
	require.NoError(t, c.CreateLiveStream(ctx, media.LiveStream{ID: "s2", Status: media.LiveIdle, StreamKey: "k2", CreatedAt: created}))
	a := media.LiveRestream{ID: "ra", StreamID: "s1", Name: "YouTube", URL: "rtmp://a.example/live2/secret", Status: media.RestreamIdle, CreatedAt: created}
	b := media.LiveRestream{ID: "rb", StreamID: "s1", Name: "Twitch", URL: "rtmp://b.example/app/secret2", Status: media.RestreamIdle, CreatedAt: created.Add(time.Second)}
	o := media.LiveRestream{ID: "ro", StreamID: "s2", URL: "rtmp://c.example/x/y", Status: media.RestreamIdle, CreatedAt: created}
	for _, d := range []media.LiveRestream{b, a, o} {
		require.NoError(t, c.AddLiveRestream(ctx, d, 0))
	}
	require.ErrorIs(t, c.AddLiveRestream(ctx, a, 0), media.ErrConflict)
	require.ErrorIs(t, c.AddLiveRestream(ctx, media.LiveRestream{ID: "rx", StreamID: "nope", URL: "rtmp://x/y/z", CreatedAt: created}, 5), media.ErrNotFound)

	// The cap holds under concurrent adds: s2 has one, so of eight at once
	// under a cap of three exactly two get in.
	var added, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			d := media.LiveRestream{ID: fmt.Sprintf("rc%d", i), StreamID: "s2", URL: "rtmp://c.example/x/z", CreatedAt: created.Add(time.Duration(i+1) * time.Second)}
			switch err := c.AddLiveRestream(ctx, d, 3); {
			case err == nil:
				added.Add(1)
			case errors.Is(err, media.ErrLimit):
				refused.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int32(2), added.Load())
	require.Equal(t, int32(6), refused.Load())
	s2, err := c.LiveRestreams(ctx, "s2")
	require.NoError(t, err)
	require.Len(t, s2, 3)
	list, err := c.LiveRestreams(ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, []media.LiveRestream{a, b}, list, "oldest first, URL kept")

	at := created.Add(time.Minute)
	require.NoError(t, c.SetLiveRestreamStatus(ctx, "ra", media.RestreamError, "The destination refused the connection.", at))
	require.NoError(t, c.SetLiveRestreamStatus(ctx, "gone", media.RestreamLive, "", at), "a deleted destination is not an error")
	list, err = c.LiveRestreams(ctx, "s1")
	require.NoError(t, err)
	a.Status, a.Error, a.UpdatedAt = media.RestreamError, "The destination refused the connection.", at
	require.Equal(t, []media.LiveRestream{a, b}, list)

	require.ErrorIs(t, c.DeleteLiveRestream(ctx, "s2", "ra"), media.ErrNotFound, "another stream's destination")
	require.NoError(t, c.DeleteLiveRestream(ctx, "s1", "rb"))
	list, err = c.LiveRestreams(ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, []media.LiveRestream{a}, list)

	require.NoError(t, c.DeleteLiveStream(ctx, "s1"))
	_, err = c.LiveStream(ctx, "s1")
	require.ErrorIs(t, err, media.ErrNotFound)
	list, err = c.LiveRestreams(ctx, "s1")
	require.NoError(t, err)
	require.Empty(t, list)
	require.ErrorIs(t, c.DeleteLiveStream(ctx, "s1"), media.ErrNotFound)
	list, err = c.LiveRestreams(ctx, "s2")
	require.NoError(t, err)
	require.Len(t, list, 3, "another stream keeps its destinations")
}
