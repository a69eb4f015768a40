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

// TestBackgroundYields: the audio encode, which runs beside the first
// chunk's first pass (the wrappers make sure of it: each waits for the
// other to have started, and the pass for the audio's first segment to be
// published; the first pass and audio segments the probe begins fail, so
// that the chunk and audio jobs encode them, as when the measured plan
// changes them), keeps kinema's niceness until its first segment and init are
// out (the first frame needs them), then is reniced backgroundNice levels
// below kinema while that pass runs; so are the other rungs' first frames,
// which the planned manifests do not wait for. The encodes that run when
// nothing a viewer waits for does (the first chunk's second pass, the
// second chunk) keep kinema's own niceness, as does the first pass. Each
// ffmpeg's niceness is read by its wrapper once the pass has started
// ("start", the audio; "headers") and when it ends.
func TestBackgroundYields(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	events := filepath.Join(dir, "events")
	b := setup(t, 1, func(c *Config, b *bundle) {
		c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 1, 2
		c.Ladder.Heights = []int{180, 144, 120} // the first chunk in two passes
		// wait PATTERN: until a file matches (a minute at most).
		b.ffmpeg = ffmpegWrapper(t, dir, `wait() { for _ in $(seq 600); do ls $1 >/dev/null 2>&1 && return; sleep 0.1; done; }
nice() { cut -d' ' -f19 /proc/$$/stat; }
case "$*" in
*"-first/first.ts"*|*"-audio/a0/index.m3u8"*) echo "0 early $*" >>`+events+`; exit 1 ;; # fail: the chunk and audio jobs encode them
*"-c:a aac"*) touch `+dir+`/audio; wait `+dir+`/pass; echo "$(nice) start $*" >>`+events+` ;;
*"-filter_complex"*"/headers/v"*) wait `+dir+`/pass; sleep 0.2; echo "$(nice) headers $*" >>`+events+`; exec $FFMPEG "$@" ;;
*"-filter_complex"*"-output_ts_offset"*)
	# The first pass encodes the lowest rung alone.
	[ "$(echo "$*" | grep -o -- '-c:v libx264' | wc -l)" = 1 ] && { wait `+dir+`/audio; touch `+dir+`/pass; wait '`+b.dir+`/media/*/a0/seg_00000.m4s'; } ;;
esac
$FFMPEG "$@"
rc=$?
echo "$(nice) $*" >>`+events+`
exit $rc`)
	})
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 4, FPS: 30, Audio: true, Video: true})
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.Len(t, plan.Chunks, 2)

	log, err := os.ReadFile(events)
	require.NoError(t, err)
	var started, headers, audio, chunks []int // niceness of each run
	early := 0
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		nice, args, _ := strings.Cut(line, " ")
		n, err := strconv.Atoi(nice)
		require.NoError(t, err, line)
		fields := strings.Fields(args)
		switch {
		case strings.HasPrefix(args, "early "):
			early++
		case strings.HasPrefix(args, "start "):
			started = append(started, n)
		case strings.HasPrefix(args, "headers "):
			headers = append(headers, n)
		case strings.Contains(args, "-c:a aac") && !strings.Contains(args, "-filter_complex"):
			audio = append(audio, n)
		case strings.Contains(args, "-filter_complex") && slices.Contains(fields, "-output_ts_offset"):
			chunks = append(chunks, n)
		}
	}
	stat, err := os.ReadFile("/proc/self/stat")
	require.NoError(t, err)
	own, err := strconv.Atoi(strings.Fields(string(stat))[18])
	require.NoError(t, err)
	require.Equal(t, 2, early, "the first pass and the first audio segments begun beside the probe: %s", log)
	require.Contains(t, b.logs.String(), "first pass begun beside the probe failed; the first chunk encodes it")
	require.Contains(t, b.logs.String(), "first audio segments begun beside the probe failed; the audio job encodes them")
	require.Equal(t, []int{own}, started, "the audio, beside the first pass, before its first segment: %s", log)
	require.Equal(t, []int{min(own+backgroundNice, 19)}, audio, "the audio, beside the first pass: %s", log)
	require.Equal(t, []int{min(own+backgroundNice, 19)}, headers, "the other rungs' first frames, beside the first pass: %s", log)
	require.Equal(t, []int{own, own, own}, chunks,
		"the first chunk's first pass and second pass, the second chunk: nothing a viewer waits for ran beside the last two: %s", log)
}
