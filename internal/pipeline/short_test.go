package pipeline

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// TestHalfSecondMonoClip: a 0.5 s clip with a mono soundtrack. ffmpeg's
// muxer writes #EXT-X-TARGETDURATION:0 for it, which players refuse; every
// published playlist must say at least 1 and cover its rounded longest
// segment. The audio stays mono (README: upmixing adds bytes, not sound).
func TestHalfSecondMonoClip(t *testing.T) {
	t.Parallel()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 0.5, AudioChannels: 1})
	b := setup(t, 1, nil)
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.NotEmpty(t, plan.Audio)
	for _, r := range plan.Renditions() {
		name := filepath.Join(b.dir, "media", v.ID, r.ID, "index.m3u8")
		f, err := os.Open(name)
		require.NoError(t, err)
		pl, err := manifest.ParseMediaPlaylist(f)
		f.Close()
		require.NoError(t, err)
		require.GreaterOrEqual(t, pl.TargetDuration, 1, "%s", r.ID)
		for _, s := range pl.Segments {
			require.LessOrEqual(t, manifest.TargetDuration(s.Duration), pl.TargetDuration, "%s %s", r.ID, s.URI)
		}
	}
	for _, a := range plan.Audio {
		require.Equal(t, 1, a.Channels, "a mono source stays mono")
		out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=channels",
			"-of", "csv=p=0", filepath.Join(b.dir, "media", v.ID, a.ID, "init.mp4")).Output()
		require.NoError(t, err)
		require.Equal(t, "1", strings.TrimSpace(string(out)), "%s is packaged mono", a.ID)
	}
	master, err := os.ReadFile(filepath.Join(b.dir, "media", v.ID, "master.m3u8"))
	require.NoError(t, err)
	require.Contains(t, string(master), `NAME="Mono"`)
	require.Contains(t, string(master), `CHANNELS="1"`)
}
