package ffmpeg

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestHostileClaimsFailDefaultLimits probes small generated files that each
// claim something expensive and checks that the default limits refuse them
// from ffprobe's answer alone, before anything is decoded, with a sentence
// for the uploader; an ordinary clip passes.
func TestHostileClaimsFailDefaultLimits(t *testing.T) {
	t.Parallel()
	limits := config.Default().Limits
	r := newTestRunner(t)
	many := make([]string, 0, 2*65)
	for range 65 {
		many = append(many, "-map", "0:a")
	}
	tests := []struct {
		name string
		file func(t *testing.T) string
		want string
	}{
		{"coded 4096x4096 shown as 256x4096 by SAR 1:16", func(t *testing.T) string {
			// The display size (1 MP) passed the old check; the decoder
			// allocates the coded 16.8 MP.
			return makeMedia(t, "sar.mkv", "-f", "lavfi", "-i", "color=c=gray:size=4096x4096:rate=1", "-frames:v", "1",
				"-vf", "setsar=1/16", "-c:v", "libx264", "-preset", "ultrafast")
		}, "stored as 4096x4096 pixels (shown as 256x4096)"},
		{"1000 fps", func(t *testing.T) string {
			return makeMedia(t, "fps.mkv", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=1000", "-frames:v", "10",
				"-c:v", "libx264", "-preset", "ultrafast")
		}, "claims 1000 frames per second"},
		{"768 kHz audio", func(t *testing.T) string {
			return makeMedia(t, "rate.wav", "-f", "lavfi", "-i", "sine=sample_rate=768000:duration=0.02", "-c:a", "pcm_s16le")
		}, "sample rate of 768000 Hz"},
		{"33 channels", func(t *testing.T) string {
			return makeMedia(t, "channels.wav", "-f", "lavfi", "-i", "aevalsrc="+strings.Repeat("0|", 32)+"0:d=0.02", "-c:a", "pcm_s16le")
		}, "33 channels"},
		{"65 audio streams", func(t *testing.T) string {
			args := append([]string{"-f", "lavfi", "-i", "sine=d=0.01"}, many...)
			return makeMedia(t, "streams.mkv", append(args, "-c:a", "pcm_s16le")...)
		}, "65 streams"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := r.Probe(context.Background(), tt.file(t))
			require.NoError(t, err, "ffprobe reads the claim")
			err = limits.Check(src)
			var in *media.InputError
			require.True(t, errors.As(err, &in), "%+v: %v", src, err)
			require.Contains(t, in.Reason, tt.want)
		})
	}
	t.Run("ordinary clip", func(t *testing.T) {
		t.Parallel()
		src, err := r.Probe(context.Background(), testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 1}))
		require.NoError(t, err)
		require.Equal(t, [2]int{320, 180}, [2]int{src.CodedWidth, src.CodedHeight})
		require.Equal(t, 2, src.Streams)
		require.NoError(t, limits.Check(src))
	})
}
