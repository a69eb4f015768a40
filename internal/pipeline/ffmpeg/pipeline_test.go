package ffmpeg

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestPipeline runs the real chunked pipeline on a 6 s clip: encode each
// chunk, byte-concatenate each rendition's chunks, package to HLS fMP4, and
// check the result with ffprobe.
func TestPipeline(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	ctx := context.Background()
	srcPath := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 6, FPS: 30})
	src, err := r.Probe(ctx, srcPath)
	require.NoError(t, err)

	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.SegmentsPerChunk = 2, 1
	cfg.Heights = []int{180, 120} // two rungs, so the split filter is exercised
	// Keep the default preset: it uses B-frames, whose DTS/PTS offset is
	// what makes chunk joins tricky (ultrafast has none).
	plan, err := media.NewPlan(src, cfg)
	require.NoError(t, err)
	require.Len(t, plan.Chunks, 3)
	require.Len(t, plan.Video, 2)
	require.Equal(t, 60, plan.GOPFrames)

	work := t.TempDir()
	for _, c := range plan.Chunks {
		dir := filepath.Join(work, fmt.Sprintf("chunk%d", c.Index))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, r.Run(ctx, ChunkArgs(plan, c, srcPath, dir), nil), "chunk %d", c.Index)
	}
	inputs := joinChunks(t, plan, work, "chunk")

	out := t.TempDir()
	require.NoError(t, MakeRenditionDirs(out, plan.Renditions()))
	require.NoError(t, r.Run(ctx, PackageArgs(plan, inputs, out), nil))
	require.NoError(t, r.Run(ctx, AudioArgs(plan, srcPath, out), nil))

	frame := float64(plan.FPSDen) / float64(plan.FPSNum)
	srcFrames := int(src.Duration*src.FPS() + 0.5)
	var segCounts []int
	for _, v := range plan.Video {
		dir := filepath.Join(out, v.ID)
		durs, segs := readPlaylist(t, filepath.Join(dir, "index.m3u8"))
		segCounts = append(segCounts, len(segs))
		total := 0.0
		for i, d := range durs {
			total += d
			if i < len(durs)-1 {
				require.InDelta(t, plan.SegmentSeconds, d, 1e-3, "%s segment %d", v.ID, i)
			} else {
				require.LessOrEqual(t, d, plan.SegmentSeconds+1e-3)
			}
		}
		require.InDelta(t, src.Duration, total, frame, "%s total duration", v.ID)

		init, err := os.ReadFile(filepath.Join(dir, "init.mp4"))
		require.NoError(t, err)
		codecs, err := CodecsFromInit(init)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(codecs, "avc1.64"), codecs) // High profile

		for i, seg := range segs {
			b, err := os.ReadFile(filepath.Join(dir, seg))
			require.NoError(t, err)
			joined := filepath.Join(work, fmt.Sprintf("%s-%d.mp4", v.ID, i))
			require.NoError(t, os.WriteFile(joined, append(append([]byte{}, init...), b...), 0o644))
			first := ffprobeOut(t, "-select_streams", "v", "-read_intervals", "%+#1",
				"-show_entries", "packet=flags", "-of", "csv=p=0", joined)
			require.True(t, strings.HasPrefix(first, "K"), "%s %s starts with %q, not a keyframe", v.ID, seg, first)
			if i == 0 {
				wh := ffprobeOut(t, "-select_streams", "v", "-show_entries", "stream=width,height", "-of", "csv=p=0", joined)
				require.Equal(t, fmt.Sprintf("%d,%d", v.Width, v.Height), wh)
			}
		}

		frames := ffprobeOut(t, "-select_streams", "v", "-count_frames", "-show_entries", "stream=nb_read_frames",
			"-of", "csv=p=0", filepath.Join(dir, "index.m3u8"))
		f := strings.Fields(frames) // the hls demuxer lists the stream twice
		require.NotEmpty(t, f)
		require.Equal(t, strconv.Itoa(srcFrames), f[len(f)-1], "%s frame count", v.ID)
	}
	require.Equal(t, segCounts[0], segCounts[1], "every rendition has the same segments")
	require.Equal(t, 3, segCounts[0])

	// Same size as the source, so a frame duplicated or dropped at a chunk
	// join would show up as a PSNR collapse on the frames after it.
	require.Greater(t, minPSNR(t, filepath.Join(out, plan.Video[0].ID, "index.m3u8"), srcPath), 30.0)

	for _, a := range plan.Audio {
		dir := filepath.Join(out, a.ID)
		durs, _ := readPlaylist(t, filepath.Join(dir, "index.m3u8"))
		total := 0.0
		for _, d := range durs {
			total += d
		}
		require.InDelta(t, src.Duration, total, 0.1)
		init, err := os.ReadFile(filepath.Join(dir, "init.mp4"))
		require.NoError(t, err)
		codecs, err := CodecsFromInit(init)
		require.NoError(t, err)
		require.Equal(t, "mp4a.40.2", codecs)
	}
}

// readPlaylist returns the EXTINF durations and segment URIs of a media
// playlist.
// joinChunks concatenates each rendition's chunk outputs, found in
// work/<dir><index>/<rendition>.ts, into work/<rendition>.ts (as packaging
// does) and returns those files in rendition order.
func joinChunks(t *testing.T, plan media.Plan, work, dir string) []string {
	t.Helper()
	var inputs []string
	for _, v := range plan.Video {
		var all []byte
		for _, c := range plan.Chunks {
			b, err := os.ReadFile(filepath.Join(work, fmt.Sprintf("%s%d", dir, c.Index), v.ID+".ts"))
			require.NoError(t, err)
			all = append(all, b...)
		}
		path := filepath.Join(work, v.ID+".ts")
		require.NoError(t, os.WriteFile(path, all, 0o644))
		inputs = append(inputs, path)
	}
	return inputs
}

func readPlaylist(t *testing.T, path string) ([]float64, []string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var durs []float64
	var segs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#EXTINF:"):
			d, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(line, "#EXTINF:"), ","), 64)
			require.NoError(t, err)
			durs = append(durs, d)
		case line != "" && !strings.HasPrefix(line, "#"):
			segs = append(segs, line)
		}
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, segs)
	require.Len(t, durs, len(segs))
	return durs, segs
}

func ffprobeOut(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ffprobe", append([]string{"-v", "error"}, args...)...).CombinedOutput()
	require.NoError(t, err, string(out))
	return strings.TrimSpace(string(out))
}

var psnrMin = regexp.MustCompile(`PSNR .* min:([0-9.]+|inf)`)

func minPSNR(t *testing.T, a, b string) float64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-i", a, "-i", b, "-lavfi",
		"[0:v]setpts=PTS-STARTPTS[x];[1:v]setpts=PTS-STARTPTS[y];[x][y]psnr", "-f", "null", "-").CombinedOutput()
	require.NoError(t, err, string(out))
	m := psnrMin.FindStringSubmatch(string(out))
	require.NotNil(t, m, string(out))
	if m[1] == "inf" {
		return 100
	}
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v
}
