package ffmpeg

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// TestH264LevelAsX264Picks encodes a few frames of every rung of several
// ladders (sizes, rates, portrait, CBR, presets) and checks that the level
// x264 picks by itself is media.Plan.H264Level, and that with the
// encoder's arguments (the level said outright) the init segment carries
// media.Plan.PlannedCodecs, the codecs string the planned manifests list.
func TestH264LevelAsX264Picks(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	type source struct {
		w, h, fps int
		rc        media.RateControl
		preset    string
	}
	sources := []source{
		{1920, 1080, 30, media.RateCappedCRF, ""},
		{1280, 720, 60, media.RateCappedCRF, ""},
		{1080, 1920, 30, media.RateCappedCRF, ""},
		{3840, 2160, 30, media.RateCBR, ""},
		{1920, 1080, 60, media.RateCappedCRF, "slow"},
		{640, 360, 25, media.RateCappedCRF, "ultrafast"},
	}
	seen := map[int]bool{}
	for _, s := range sources {
		cfg := media.DefaultLadderConfig()
		cfg.RateControl = s.rc
		if s.preset != "" {
			cfg.Preset = s.preset
		}
		plan, err := media.NewPlan(media.Source{HasVideo: true, Width: s.w, Height: s.h, FPSNum: s.fps, FPSDen: 1, Duration: 10}, cfg)
		require.NoError(t, err)
		for _, r := range plan.Video {
			name := fmt.Sprintf("%dx%d@%d %s %s", r.Width, r.Height, s.fps, s.rc, plan.Preset)
			want := plan.H264Level(r)
			seen[want] = true
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				args := encoderArgs(plan, r)
				i := slices.Index(args, "-level")
				require.GreaterOrEqual(t, i, 0)
				auto := slices.Delete(slices.Clone(args), i, i+2)
				dir := t.TempDir()
				encode := func(enc []string, out string) {
					cmd := append([]string{"-v", "error", "-f", "lavfi", "-i", fmt.Sprintf("testsrc2=s=%dx%d:r=%d", r.Width, r.Height, s.fps),
						"-frames:v", "3", "-pix_fmt", "yuv420p"}, enc...)
					cmd = append(cmd, "-f", "mp4", "-movflags", "+frag_keyframe+empty_moov", "-y", out)
					b, err := exec.Command("ffmpeg", cmd...).CombinedOutput()
					require.NoError(t, err, string(b))
				}
				encode(auto, filepath.Join(dir, "auto.mp4"))
				out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "stream=level",
					"-of", "csv=p=0", filepath.Join(dir, "auto.mp4")).Output()
				require.NoError(t, err)
				require.Equal(t, fmt.Sprint(want), strings.TrimSpace(string(out)), "x264's own choice")

				encode(args, filepath.Join(dir, "set.mp4"))
				b, err := os.ReadFile(filepath.Join(dir, "set.mp4"))
				require.NoError(t, err)
				codecs, err := CodecsFromInit(b)
				require.NoError(t, err)
				if plan.Preset == "ultrafast" {
					require.Empty(t, plan.PlannedCodecs(r), "not High profile: %s", codecs)
					return
				}
				require.Equal(t, plan.PlannedCodecs(r), codecs)
			})
		}
	}
	require.GreaterOrEqual(t, len(seen), 5, "levels covered: %v", seen)
}
