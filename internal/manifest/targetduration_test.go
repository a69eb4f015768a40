package manifest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTargetDuration(t *testing.T) {
	for _, tc := range []struct {
		durations []float64
		want      int
	}{
		{[]float64{0.5}, 1},
		{[]float64{0.2, 0.1}, 1},
		{nil, 1},
		{[]float64{4, 4, 2.5}, 4},
		{[]float64{3.98, 4.5}, 5}, // rounds half up, unlike ffmpeg's lrint
		{[]float64{6.4}, 6},
	} {
		require.Equal(t, tc.want, TargetDuration(tc.durations...), "%v", tc.durations)
	}
}

func TestFixTargetDuration(t *testing.T) {
	half := "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:0\n#EXT-X-MEDIA-SEQUENCE:0\n" +
		"#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:0.500000,\nseg_00000.m4s\n#EXT-X-ENDLIST\n"
	out, changed := FixTargetDuration([]byte(half))
	require.True(t, changed)
	require.Equal(t, strings.Replace(half, "TARGETDURATION:0", "TARGETDURATION:1", 1), string(out))
	pl, err := ParseMediaPlaylist(bytes.NewReader(out))
	require.NoError(t, err)
	require.Equal(t, 1, pl.TargetDuration)

	crlf := strings.ReplaceAll(strings.Replace(half, "0.500000", "4.5", 1), "\n", "\r\n")
	out, changed = FixTargetDuration([]byte(crlf))
	require.True(t, changed)
	require.Contains(t, string(out), "#EXT-X-TARGETDURATION:5\r\n#EXT-X-MEDIA")

	ok := strings.Replace(half, "TARGETDURATION:0", "TARGETDURATION:4", 1)
	out, changed = FixTargetDuration([]byte(ok))
	require.False(t, changed, "a large enough target is kept")
	require.Equal(t, ok, string(out))

	missing := strings.Replace(half, "#EXT-X-TARGETDURATION:0\n", "", 1)
	out, changed = FixTargetDuration([]byte(missing))
	require.True(t, changed)
	require.True(t, strings.HasPrefix(string(out), "#EXTM3U\n#EXT-X-TARGETDURATION:1\n"))

	_, changed = FixTargetDuration([]byte("not a playlist"))
	require.False(t, changed)
}
