package media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func fixedPlan(t *testing.T, w, h int) Plan {
	t.Helper()
	p, err := NewPlan(Source{HasVideo: true, Width: w, Height: h, FPSNum: 30, FPSDen: 1, Duration: 60}, DefaultLadderConfig())
	require.NoError(t, err)
	return p
}

func TestPerTitleEasyContentDropsRungsAndLowersCaps(t *testing.T) {
	p := fixedPlan(t, 1920, 1080)
	require.Len(t, p.Video, 5) // 1080 720 480 360 240
	// A slide deck: 60 kb/s at 640x360 at the plan's CRF.
	got := PerTitle(p, Complexity{Width: 640, Height: 360, FPS: 30, Seconds: 3, Bitrate: 60_000})
	var heights []int
	for i, r := range got.Video {
		heights = append(heights, r.Height)
		require.Equal(t, "v"+string(rune('0'+i)), r.ID)
		require.Less(t, r.MaxRate, p.Video[0].MaxRate)
	}
	// 1080p needs ~540 kb/s, within every lower rung's fixed budget: only
	// the top and bottom rungs stay.
	require.Equal(t, []int{1080, 240}, heights)
	require.Equal(t, LadderPerTitle, got.Ladder.Mode)
	require.Len(t, got.Ladder.Rungs, 5)
	require.False(t, got.Ladder.Rungs[1].Kept)
	require.Contains(t, got.Ladder.Rungs[1].Reason, "1920x1080 needs about")
	// The cap follows the prediction (1.5x) but never below a quarter of
	// the fixed cap.
	require.Equal(t, p.Video[0].Bitrate/4, got.Video[0].Bitrate)
	// The bottom rung keeps the fixed one: its first pass starts before
	// the samples are measured.
	bottom, fixed := got.Video[1], p.Video[4]
	require.Equal(t, [3]int{fixed.Bitrate, fixed.MaxRate, fixed.BufSize}, [3]int{bottom.Bitrate, bottom.MaxRate, bottom.BufSize})
	require.Len(t, p.Video, 5, "the input plan is not modified")
	for _, r := range got.Video {
		require.Empty(t, r.Preset, "bits do not bind: the plan's preset")
	}
}

func TestPerTitleComplexContentKeepsFixedLadder(t *testing.T) {
	p := fixedPlan(t, 1920, 1080)
	got := PerTitle(p, Complexity{Width: 640, Height: 360, FPS: 30, Seconds: 3, Bitrate: 4_000_000})
	require.Len(t, got.Video, len(p.Video))
	for i := range p.Video {
		require.Equal(t, p.Video[i].Bitrate, got.Video[i].Bitrate, "rung %d keeps its fixed cap", i)
		require.Equal(t, p.Video[i].MaxRate, got.Video[i].MaxRate)
	}
	// 1080p is predicted at 36 Mb/s, far over its 5 Mb/s cap: bits bind,
	// so it gets a slower preset; the others keep the plan's.
	require.Equal(t, "faster", got.Video[0].Preset)
	require.Equal(t, "faster", got.Ladder.Rungs[0].Preset)
	for _, r := range got.Video[1:] {
		require.Empty(t, r.Preset)
	}
	withAV1 := WithCodecs(got, []string{CodecH264, CodecAV1})
	require.Empty(t, withAV1.Video[len(got.Video)].Preset, "x264 presets stay on H.264 rungs")
}

func TestSlowerPreset(t *testing.T) {
	require.Equal(t, "fast", slowerPreset("", 2))
	require.Equal(t, "fast", slowerPreset("veryfast", 2))
	require.Equal(t, "medium", slowerPreset("fast", 2))
	require.Empty(t, slowerPreset("medium", 2))
	require.Empty(t, slowerPreset("placebo", 2))
}

func TestPerTitleMediumContent(t *testing.T) {
	p := fixedPlan(t, 1280, 720) // 720 480 360 240
	// 720p predicted 1.6 Mb/s: more than 480p's fixed 1.4 Mb/s, so 480p
	// stays; 480p's 0.71 Mb/s fits in 360p's 0.96 Mb/s, so 360p goes.
	got := PerTitle(p, Complexity{Width: 640, Height: 360, FPS: 30, Seconds: 3, Bitrate: 400_000})
	var heights []int
	for _, r := range got.Video {
		heights = append(heights, r.Height)
		require.LessOrEqual(t, r.Bitrate, fixedRate(p, r.Height))
	}
	require.Equal(t, []int{720, 480, 240}, heights)
}

func TestPerTitlePortraitAndUnmeasured(t *testing.T) {
	p := fixedPlan(t, 1080, 1920)
	got := PerTitle(p, Complexity{Width: 360, Height: 640, FPS: 30, Seconds: 3, Bitrate: 60_000})
	require.Equal(t, 1080, got.Video[0].Width)
	require.Greater(t, got.Video[0].Height, got.Video[0].Width, "portrait stays portrait")
	require.Equal(t, p, PerTitle(p, Complexity{}), "no measurement, no change")
}

func TestSampleSizeAndStarts(t *testing.T) {
	w, h := SampleSize(fixedPlan(t, 1920, 1080))
	require.Equal(t, [2]int{640, 360}, [2]int{w, h})
	w, h = SampleSize(fixedPlan(t, 320, 180))
	require.Equal(t, [2]int{320, 180}, [2]int{w, h})
	require.Equal(t, []float64{0}, SampleStarts(2, 1))
	starts := SampleStarts(100, 1)
	require.Len(t, starts, 3)
	for _, s := range starts {
		require.True(t, s >= 0 && s+1 <= 100)
	}
}

func fixedRate(p Plan, height int) int {
	for _, r := range p.Video {
		if r.Height == height {
			return r.Bitrate
		}
	}
	return 0
}
