package pipeline

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// With --codecs h264,av1,hevc every rung exists in each codec, chunked like
// H.264, packaged in the same CMAF layout with the codec's CODECS string,
// on the same segment grid, with one DASH AdaptationSet per codec.
func TestLadderInEveryCodec(t *testing.T) {
	b := setup(t, 1, func(c *Config, _ *bundle) {
		c.Ladder.Codecs = []string{media.CodecH264, media.CodecAV1, media.CodecHEVC}
		c.Ladder.SegmentSeconds = 2
		c.Ladder.SegmentsPerChunk = 1 // three chunks: AV1 and HEVC chunks are joined too
	})
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 6, FPS: 30})
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.Len(t, plan.Chunks, 3)

	families := map[string][]media.Rendition{}
	for _, r := range v.Renditions {
		if r.Type == media.KindVideo {
			family, _, _ := strings.Cut(r.Codecs, ".")
			families[family] = append(families[family], r)
		}
	}
	require.Len(t, families["avc1"], 2, "%+v", v.Renditions)
	require.Len(t, families["av01"], 2)
	require.Len(t, families["hvc1"], 2)
	require.Regexp(t, `^av01\.0\.\d\dM\.08$`, families["av01"][0].Codecs)

	media := filepath.Join(b.dir, "media", v.ID)
	h264 := playlistDuration(t, filepath.Join(media, families["avc1"][0].ID, "index.m3u8"))
	for _, family := range []string{"av01", "hvc1"} {
		for i, r := range families[family] {
			require.Equal(t, families["avc1"][i].Width, r.Width)
			pl := filepath.Join(media, r.ID, "index.m3u8")
			require.InDelta(t, h264, playlistDuration(t, pl), 0.001, "%s %s on the same grid", family, r.ID)
			require.Equal(t, 180, countFrames(t, pl), "%s %s decodes every frame", family, r.ID)
			keys := keyframeTimes(t, pl)
			require.Equal(t, []string{"0.000000", "2.000000", "4.000000"}, keys, "%s %s keyframes on segment boundaries", family, r.ID)
		}
	}
	mpd, err := os.ReadFile(filepath.Join(media, "manifest.mpd"))
	require.NoError(t, err)
	require.Equal(t, 3, strings.Count(string(mpd), `contentType="video"`))
	master, err := os.ReadFile(filepath.Join(media, "master.m3u8"))
	require.NoError(t, err)
	require.Contains(t, string(master), `CODECS="av01.`)
	require.Contains(t, string(master), `CODECS="hvc1.`)
}

// keyframeTimes lists the presentation times of the key-frame packets in a
// playlist's video, as ffprobe prints them.
func keyframeTimes(t *testing.T, playlist string) []string {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", playlist).Output()
	require.NoError(t, err)
	var keys []string
	for _, line := range strings.Fields(string(out)) {
		if pts, flags, ok := strings.Cut(line, ","); ok && strings.HasPrefix(flags, "K") {
			keys = append(keys, pts)
		}
	}
	return keys
}
