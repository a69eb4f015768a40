package pipeline

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// makeBomb writes a small file whose frames are coded 4096×4096 but shown
// as 256×4096 (SAR 1:16); refs=16 makes the decoder keep 16 such frames.
func makeBomb(t *testing.T, frames string, refs string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bomb.mkv")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "color=c=gray:size=4096x4096:rate=30", "-frames:v", frames, "-vf", "setsar=1/16",
		"-c:v", "libx264", "-preset", "ultrafast", "-x264-params", "ref="+refs, path).CombinedOutput()
	require.NoError(t, err, string(out))
	return path
}

// TestHostileUploadFailsBeforeDecoding: with the default limits, a file
// whose coded picture is over the pixel limit fails in probe with a
// sentence for the uploader; no encode job runs.
func TestHostileUploadFailsBeforeDecoding(t *testing.T) {
	t.Parallel()
	b := setup(t, 1, func(c *Config, _ *bundle) { c.Limits = config.Default().Limits })
	v := b.process(t, makeBomb(t, "1", "1"))
	require.Equal(t, media.StatusFailed, v.Status)
	require.Equal(t, "The picture is stored as 4096x4096 pixels (shown as 256x4096), larger than this server accepts "+
		"(at most 9.4 million pixels per frame).", v.Error)
	require.Contains(t, b.logs.String(), "input rejected")
	require.NotContains(t, b.logs.String(), "planned", "nothing was planned or encoded")
}

// TestMemoryCeilingFailsOnlyThatVideo lets a decoder bomb past the limits
// (no pixel limit) to an ffmpeg memory ceiling that honest work fits in:
// the bomb's video fails at its first attempt with the ceiling's sentence,
// and an honest video processed beside it on the same worker ends ready.
func TestMemoryCeilingFailsOnlyThatVideo(t *testing.T) {
	t.Parallel()
	b := setup(t, 1, func(c *Config, _ *bundle) {
		c.Ladder.Threads = 2 // the same memory need on any machine
		c.MaxAttempts = 3
	})
	const ceiling = 768 << 20
	b.pipes[0].ff.MemoryLimit = ceiling
	bomb := makeBomb(t, "24", "16")
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})

	var wg sync.WaitGroup
	var bad, good media.Video
	wg.Go(func() { bad = b.process(t, bomb) })
	wg.Go(func() { good = b.process(t, clip) })
	wg.Wait()
	require.Equal(t, media.StatusReady, good.Status, good.Error)
	require.Equal(t, media.StatusFailed, bad.Status)
	require.Equal(t, "The file needs more memory to decode than this server allows (768 MiB). "+
		"It may be damaged, or describe pictures far larger than it shows.", bad.Error)
	// Tried twice (the first failure could be a host short of memory),
	// then failed for good: never a third attempt.
	require.Contains(t, b.logs.String(), "one more try before blaming the file")
	for _, line := range strings.Split(b.logs.String(), "\n") {
		require.False(t, strings.Contains(line, "one more try") && !strings.Contains(line, "attempt=1 "), line)
	}
}
