package pipeline

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// ffmpegWrapper writes dir/ffmpeg, a shell script that runs body with
// $FFMPEG set to the real ffmpeg, for tests that watch or delay its runs.
func ffmpegWrapper(t *testing.T, dir, body string) string {
	t.Helper()
	real, err := exec.LookPath("ffmpeg")
	require.NoError(t, err)
	wrapper := filepath.Join(dir, "ffmpeg")
	require.NoError(t, os.WriteFile(wrapper, []byte("#!/bin/sh\nFFMPEG="+real+"\n"+body+"\n"), 0o755))
	return wrapper
}

func heights(p media.Plan) []int {
	var hs []int
	for _, r := range p.Video {
		hs = append(hs, r.Height)
	}
	return hs
}

// The per-title samples do not wait for the packet count (a pass over the
// whole source, long for a big file; here an ffmpeg that sleeps before it):
// they start beside it, on the plan the headers give, and that measurement
// is the one the ladder uses. Beside CPU load.
func TestPerTitleBesideThePacketCount(t *testing.T) {
	testutil.RequireFFmpeg(t)
	testutil.BurnCPU(t, 2)
	dir := t.TempDir()
	events := filepath.Join(dir, "events")
	wrapper := ffmpegWrapper(t, dir, `case "$*" in
*"-c copy -f null"*) kind=count ;;
*samples.h264*) kind=samples ;;
*) kind=other ;;
esac
echo "start $kind $(date +%s.%N)" >>`+events+`
[ $kind = count ] && sleep 3
$FFMPEG "$@"
rc=$?
echo "end $kind $(date +%s.%N)" >>`+events+`
exit $rc`)
	b := setup(t, 1, func(c *Config, b *bundle) {
		c.Ladder.Heights = []int{360, 240, 180, 120}
		c.Ladder.Mode = media.LadderPerTitle
		b.ffmpeg = wrapper
	})
	flat := lavfiClip(t, "flat", "color=c=0x406080:size=640x360:rate=30:duration=4")
	v := b.process(t, flat)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.Equal(t, []int{360, 120}, heights(plan), "the flat picture's ladder, as before")

	log, err := os.ReadFile(events)
	require.NoError(t, err)
	at := map[string][]float64{}
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		var what, kind string
		var ts float64
		_, err := fmt.Sscanf(line, "%s %s %f", &what, &kind, &ts)
		require.NoError(t, err, line)
		at[what+" "+kind] = append(at[what+" "+kind], ts)
	}
	require.Len(t, at["start samples"], 1, "the samples ran once: %s", log)
	require.Len(t, at["end count"], 1, "%s", log)
	require.Less(t, at["start samples"][0], at["end count"][0], "the samples waited for the packet count: %s", log)
	require.Contains(t, b.logs.String(), "measured_early=true")
}
