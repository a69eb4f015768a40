package pipeline

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestPreviewsBounded: a client that asks for every segment of a video
// still encoding (a downloader) gets at most maxPreviews previews of it
// queued; its other requests wait for their chunks. A request again for a
// segment whose preview waits still gets its key.
func TestPreviewsBounded(t *testing.T) {
	t.Parallel()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 10, FPS: 30, Video: true})
	release := make(chan struct{})
	b := setup(t, 1, func(c *Config, b *bundle) {
		c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 1, 2
		b.store.beforePut = func(ctx context.Context, key string, data []byte) error {
			info, _ := ctx.Value(jobKey{}).(jobInfo)
			if (info.kind == KindChunk && info.index > 0) || info.kind == KindPreview {
				select {
				case <-release:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		}
	})
	t.Cleanup(func() { close(release) })
	ctx := context.Background()
	v := b.waitPlayable(t, b.upload(t, src))
	plan, _ := b.plan(t, v.ID)
	first, _ := plan.ChunkSegments(1) // chunk 0 is out; the others are held
	var asked, queued []int
	for seg := first; seg < plan.VideoSegmentCount(); seg++ {
		chunk, ok := plan.ChunkOfSegment(seg)
		require.True(t, ok)
		key, err := b.pipes[0].Prioritize(ctx, v.ID, chunk, seg, plan.Video[0].ID)
		require.NoError(t, err)
		asked = append(asked, seg)
		if key != "" {
			queued = append(queued, seg)
		}
	}
	require.Greater(t, len(asked), maxPreviews)
	require.Equal(t, asked[:maxPreviews], queued, "the first requests get previews, the others wait for their chunks")
	waiting, err := b.pipes[0].queue.Outstanding(ctx, KindPreview, "video_id", v.ID, 100)
	require.NoError(t, err)
	require.Len(t, waiting, maxPreviews)
	require.Contains(t, b.logs.String(), "preview not queued: the video has enough waiting")

	key, err := b.pipes[0].Prioritize(ctx, v.ID, 1, queued[0], plan.Video[0].ID)
	require.NoError(t, err)
	require.NotEmpty(t, key, "its preview waits already")
}
