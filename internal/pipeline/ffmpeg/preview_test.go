package ffmpeg

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// fragmentTiming is what places a CMAF segment on its track: its fragment
// number, decode time, earliest presentation time, sample count.
type fragmentTiming struct {
	seq     uint32
	tfdt    uint64
	ept     uint64
	samples uint32
}

func timingOf(t *testing.T, seg []byte) fragmentTiming {
	t.Helper()
	var ft fragmentTiming
	readTime := func(body []byte, off int) uint64 {
		if body[0] == 1 {
			return binary.BigEndian.Uint64(body[off:])
		}
		return uint64(binary.BigEndian.Uint32(body[off:]))
	}
	for typ, body := range boxes(seg) {
		switch typ {
		case "sidx":
			ft.ept = readTime(body, 12)
		case "moof":
			for mfhd := range childBoxes(body, "mfhd") {
				ft.seq = binary.BigEndian.Uint32(mfhd[4:8])
			}
			for traf := range childBoxes(body, "traf") {
				for tfdt := range childBoxes(traf, "tfdt") {
					ft.tfdt = readTime(tfdt, 4)
				}
				for trun := range childBoxes(traf, "trun") {
					ft.samples += binary.BigEndian.Uint32(trun[4:8])
				}
			}
		}
	}
	require.NotZero(t, ft.samples)
	return ft
}

// TestAudioSegmentPreviewFitsTheTrack: a preview of one audio segment,
// encoded on its own, has the fragment number, times and packet count of
// that segment of the whole track's encode, and plays after its init
// segment, for the first segment, one in the middle and the last.
func TestAudioSegmentPreviewFitsTheTrack(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	ctx := context.Background()
	srcPath := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 9, FPS: 30, Audio: true, Video: true})
	src, err := r.Probe(ctx, srcPath)
	require.NoError(t, err)
	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.Heights = 2, []int{180}
	plan, err := media.NewPlan(src, cfg)
	require.NoError(t, err)
	require.Len(t, plan.Audio, 1)
	a := plan.Audio[0]
	full := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(full, a.ID), 0o750))
	require.NoError(t, r.Run(ctx, AudioArgs(plan, srcPath, full), nil))
	segments := len(plan.AudioSegmentDurations(a.SampleRate))
	require.GreaterOrEqual(t, segments, 5)
	init, err := os.ReadFile(filepath.Join(full, a.ID, "init.mp4"))
	require.NoError(t, err)
	for _, seg := range []int{0, 2, segments - 1} {
		want, err := os.ReadFile(filepath.Join(full, a.ID, fmt.Sprintf("seg_%05d.m4s", seg)))
		require.NoError(t, err)
		path, err := AudioSegmentPreview(ctx, r, plan, a, srcPath, seg, t.TempDir())
		require.NoError(t, err, "segment %d", seg)
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, timingOf(t, want), timingOf(t, got), "segment %d", seg)
		// It decodes after the track's init segment.
		joined := filepath.Join(t.TempDir(), "joined.mp4")
		require.NoError(t, os.WriteFile(joined, append(append([]byte{}, init...), got...), 0o600))
		require.NoError(t, r.Run(ctx, []string{"-v", "error", "-xerror", "-i", joined, "-f", "null", "-"}, nil), "segment %d", seg)
	}
}
