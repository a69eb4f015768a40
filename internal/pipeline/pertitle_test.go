package pipeline

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// lavfiClip encodes a generated 640x360 source with filter graph src.
func lavfiClip(t *testing.T, name, src string) string {
	t.Helper()
	testutil.RequireFFmpeg(t)
	out := filepath.Join(t.TempDir(), name+".mp4")
	cmd := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src,
		"-c:v", "libx264", "-preset", "ultrafast", "-qp", "10", "-pix_fmt", "yuv420p", out)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, string(b))
	return out
}

// A flat picture and a noisy one get different ladders from the same
// candidates, measured by real sample encodes, and both play.
func TestPerTitleLadder(t *testing.T) {
	b := setup(t, 1, func(c *Config, _ *bundle) {
		c.Ladder.Heights = []int{360, 240, 180, 120}
		c.Ladder.Mode = media.LadderPerTitle
	})
	flat := lavfiClip(t, "flat", "color=c=0x406080:size=640x360:rate=30:duration=4")
	noisy := lavfiClip(t, "noisy", "testsrc2=size=640x360:rate=30:duration=4,noise=alls=60:allf=t")

	flatVideo := b.process(t, flat)
	require.Equal(t, media.StatusReady, flatVideo.Status, flatVideo.Error)
	flatPlan, _ := b.plan(t, flatVideo.ID)
	v := b.process(t, noisy)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	noisyPlan, _ := b.plan(t, v.ID)

	require.NotNil(t, flatPlan.Ladder)
	require.NotNil(t, noisyPlan.Ladder)
	fc, nc := flatPlan.Ladder.Complexity, noisyPlan.Ladder.Complexity
	require.Equal(t, [2]int{640, 360}, [2]int{fc.Width, fc.Height})
	require.InDelta(t, 3, fc.Seconds, 0.1, "three one-second samples")
	require.Greater(t, nc.Bitrate, 20*fc.Bitrate, "noise costs far more bits than a flat picture")

	require.Equal(t, []int{360, 120}, heights(flatPlan), "the flat picture needs only the top and bottom rungs")
	require.Equal(t, []int{360, 240, 180, 120}, heights(noisyPlan), "noise keeps every rung")
	require.Less(t, flatPlan.Video[0].MaxRate, noisyPlan.Video[0].MaxRate)
	require.Len(t, flatVideo.Renditions, 2, "the two video rungs were published (the clip has no audio)")
	for _, r := range flatVideo.Renditions {
		require.NotZero(t, r.PeakBandwidth, "rendition %s was packaged", r.ID)
	}
}

func heights(p media.Plan) []int {
	var hs []int
	for _, r := range p.Video {
		hs = append(hs, r.Height)
	}
	return hs
}
