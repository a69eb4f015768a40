package testutil

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func probeStreams(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.CommandContext(context.Background(), "ffprobe", "-v", "error",
		"-show_entries", "stream=codec_type,width,height,channels", "-of", "csv=p=0", path).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

func TestMakeClip(t *testing.T) {
	t.Parallel()
	RequireFFmpeg(t)
	tests := []struct {
		name string
		opts ClipOptions
		want string
	}{
		{"default mp4", ClipOptions{}, "video,320,240\naudio,2"},
		{"video only mkv", ClipOptions{Video: true, Width: 160, Height: 90, Format: "mkv"}, "video,160,90"},
		{"mono wav", ClipOptions{Format: "wav", AudioChannels: 1}, "audio,1"},
		{"mp3", ClipOptions{Format: "mp3", Seconds: 1}, "audio,2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := MakeClip(t, tt.opts)
			require.Equal(t, tt.want, probeStreams(t, path))
		})
	}
}

func TestMakeCorruptAndTruncated(t *testing.T) {
	t.Parallel()
	RequireFFmpeg(t)
	for _, path := range []string{MakeCorrupt(t), MakeTruncated(t)} {
		var stderr bytes.Buffer
		cmd := exec.CommandContext(context.Background(), "ffprobe", "-v", "error", "-show_format", path)
		cmd.Stderr = &stderr
		require.Error(t, cmd.Run(), path)
		require.NotEmpty(t, stderr.String())
		fi, err := os.Stat(path)
		require.NoError(t, err)
		require.Positive(t, fi.Size())
	}
}
