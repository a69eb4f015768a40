package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// TestBackgroundWorkNiced: what nobody waits for yet runs at
// backgroundNice (the audio, the poster, the chunks after the first, the
// first chunk's second pass); the first chunk's first pass, which the
// video's first frame waits for, does not. Each ffmpeg's niceness is read
// by a wrapper when it ends (the runner renices the process group right
// after the start).
func TestBackgroundWorkNiced(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	events := filepath.Join(dir, "events")
	wrapper := ffmpegWrapper(t, dir, `$FFMPEG "$@"
rc=$?
echo "$(cut -d' ' -f19 /proc/$$/stat) $*" >>`+events+`
exit $rc`)
	b := setup(t, 1, func(c *Config, b *bundle) {
		c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 1, 2
		c.Ladder.Heights = []int{180, 144, 120} // the first chunk in two passes
		b.ffmpeg = wrapper
	})
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 4, FPS: 30, Audio: true, Video: true})
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.Len(t, plan.Chunks, 2)

	log, err := os.ReadFile(events)
	require.NoError(t, err)
	type run struct {
		nice   int
		offset float64 // the chunk's place on the timeline, for chunk encodes
	}
	var audio, poster, chunks []run
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		nice, args, _ := strings.Cut(line, " ")
		n, err := strconv.Atoi(nice)
		require.NoError(t, err, line)
		fields := strings.Fields(args)
		switch {
		case strings.Contains(args, "-c:a aac") && !strings.Contains(args, "-filter_complex"):
			audio = append(audio, run{nice: n})
		case strings.Contains(args, "poster.jpg"):
			poster = append(poster, run{nice: n})
		case strings.Contains(args, "-filter_complex") && slices.Contains(fields, "-output_ts_offset"):
			at, err := strconv.ParseFloat(fields[slices.Index(fields, "-output_ts_offset")+1], 64)
			require.NoError(t, err, line)
			chunks = append(chunks, run{nice: n, offset: at})
		}
	}
	stat, err := os.ReadFile("/proc/self/stat")
	require.NoError(t, err)
	own, err := strconv.Atoi(strings.Fields(string(stat))[18])
	require.NoError(t, err)
	background := min(own+backgroundNice, 19) // relative to kinema's own
	require.Equal(t, []run{{nice: background}}, audio, "%s", log)
	require.Equal(t, []run{{nice: background}}, poster, "%s", log)
	first := slices.MinFunc(chunks, func(a, b run) int { return int((a.offset - b.offset) * 1000) }).offset
	niced := map[bool][]int{} // first chunk or not → niceness of its encodes
	for _, c := range chunks {
		niced[c.offset == first] = append(niced[c.offset == first], c.nice)
	}
	require.Contains(t, niced[true], own, "the first chunk's first pass: %s", log)
	require.Contains(t, niced[true], background, "the first chunk's second pass: %s", log)
	require.NotEmpty(t, niced[false], "%s", log)
	for _, n := range niced[false] {
		require.Equal(t, background, n, "the second chunk: %s", log)
	}
}
