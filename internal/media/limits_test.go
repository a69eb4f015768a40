package media

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLimitsCheckEveryClaim(t *testing.T) {
	t.Parallel()
	l := Limits{MaxPixels: 1920 * 1080, MaxFPS: 240, MaxSampleRate: 192_000, MaxChannels: 8, MaxStreams: 4}
	hd := Source{Streams: 2, HasVideo: true, Width: 1920, Height: 1080, CodedWidth: 1920, CodedHeight: 1088,
		FPSNum: 60000, FPSDen: 1001, HasAudio: true, AudioChannels: 6, AudioSampleRate: 48000}
	l.MaxPixels = 1920 * 1088 // h264 codes 1080p as 1088 lines
	require.NoError(t, l.Check(hd))

	tests := []struct {
		name   string
		change func(*Source)
		want   string
	}{
		{"coded size of a SAR pixel bomb", func(s *Source) { s.CodedWidth, s.CodedHeight = 16000, 16000 }, "stored as 16000x16000"},
		{"coded side over MaxSide, few pixels", func(s *Source) { s.CodedWidth, s.CodedHeight = 65536, 16 }, "stored as 65536x16"},
		{"display size", func(s *Source) { s.Width, s.Height = 3840, 2160 }, "3840x2160"},
		{"frame rate claim", func(s *Source) { s.FPSNum, s.FPSDen = 1000, 1 }, "1000 frames per second"},
		{"sample rate claim", func(s *Source) { s.AudioSampleRate = 2_000_000_000 }, "2000000000 Hz"},
		{"channels", func(s *Source) { s.AudioChannels = 64 }, "64 channels"},
		{"streams", func(s *Source) { s.Streams = 9 }, "9 streams"},
		{"product overflowing int32", func(s *Source) { s.CodedWidth, s.CodedHeight = 1<<16, 1<<16 }, "stored as"},
	}
	for _, tt := range tests {
		src := hd
		tt.change(&src)
		err := l.Check(src)
		var in *InputError
		require.True(t, errors.As(err, &in), "%s: %v", tt.name, err)
		require.Contains(t, in.Reason, tt.want, tt.name)
	}
	require.NoError(t, Limits{}.Check(Source{HasVideo: true, Width: 8000, Height: 8000, FPSNum: 1000, FPSDen: 1}),
		"zero limits allow anything up to MaxSide")
}
