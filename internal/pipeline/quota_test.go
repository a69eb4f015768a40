package pipeline

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// TestProcessingQuota: with a 1-minute quota, an owner's first 40 s video
// is processed, the second fails in probe with a sentence (nothing is
// encoded), and another owner is not affected.
func TestProcessingQuota(t *testing.T) {
	t.Parallel()
	b := setup(t, 1, func(c *Config, _ *bundle) { c.Limits.Quota = media.Quota{ProcessingMinutes: 1} })
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 64, Height: 36, Seconds: 40, FPS: 10, Video: true})

	first := b.processAs(t, clip, "alice")
	require.Equal(t, media.StatusReady, first.Status, first.Error)
	second := b.processAs(t, clip, "alice")
	require.Equal(t, media.StatusFailed, second.Status)
	require.Equal(t, "Processing this video (0.7 minutes) would exceed your quota: 0.7 minutes of 1 minute of video "+
		"processed in the last 30 days. Try again when older videos leave that window, or ask an administrator "+
		"for a larger quota.", second.Error)
	plan, _ := b.plan(t, second.ID)
	require.Empty(t, plan.Chunks, "nothing was planned for the refused video")
	other := b.processAs(t, clip, "bob")
	require.Equal(t, media.StatusReady, other.Status, other.Error)
}
