package manifest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kinema/kinema/internal/media"
	"github.com/stretchr/testify/require"
)

// videoLadder is a typical packaged ladder: measured values on the top rungs,
// encoder targets only on the bottom one (to exercise the fallbacks), a stereo
// downmix and the original 5.1.
func videoLadder() []media.Rendition {
	return []media.Rendition{
		{ID: "v0", Type: media.KindVideo, Width: 1920, Height: 1080, FPSNum: 30, FPSDen: 1, Bitrate: 5_000_000,
			Codecs: "avc1.640028", AverageBandwidth: 4_800_000, PeakBandwidth: 5_500_000},
		{ID: "v1", Type: media.KindVideo, Width: 1280, Height: 720, FPSNum: 30, FPSDen: 1, Bitrate: 2_700_000,
			Codecs: "avc1.64001f", AverageBandwidth: 2_500_000, PeakBandwidth: 2_800_000},
		{ID: "v2", Type: media.KindVideo, Width: 640, Height: 360, FPSNum: 30000, FPSDen: 1001, Bitrate: 960_000,
			MaxRate: 1_027_000, Codecs: "avc1.64001e"},
		{ID: "a0", Type: media.KindAudio, Bitrate: 128_000, Channels: 2, SampleRate: 48000,
			Codecs: "mp4a.40.2", AverageBandwidth: 127_000, PeakBandwidth: 131_000},
		{ID: "a1", Type: media.KindAudio, Bitrate: 384_000, Channels: 6, SampleRate: 48000},
	}
}

// languagesLadder is a video with two audio languages, the second being
// the source's default and also having a 5.1 layout.
func languagesLadder() []media.Rendition {
	rs := videoLadder()[:3]
	return append(rs,
		media.Rendition{ID: "a0", Type: media.KindAudio, Bitrate: 128_000, Channels: 2, SampleRate: 48000,
			Codecs: "mp4a.40.2", Language: "fr", Name: "French", Default: true, Track: 1},
		media.Rendition{ID: "a1", Type: media.KindAudio, Bitrate: 384_000, Channels: 6, SampleRate: 48000,
			Codecs: "mp4a.40.2", Language: "fr", Name: "French (5.1)", Default: true, Track: 1},
		media.Rendition{ID: "a2", Type: media.KindAudio, Bitrate: 128_000, Channels: 2, SampleRate: 48000,
			Codecs: "mp4a.40.2", Language: "en", Name: `Director's "cut"`, Track: 0},
	)
}

func audioLadder() []media.Rendition {
	return []media.Rendition{
		{ID: "a0", Type: media.KindAudio, Bitrate: 64_000, Channels: 2, SampleRate: 48000},
		{ID: "a1", Type: media.KindAudio, Bitrate: 128_000, Channels: 2, SampleRate: 48000, PeakBandwidth: 140_000},
	}
}

func TestWriteMaster(t *testing.T) {
	t.Parallel()
	noCodecs := videoLadder()[2]
	noCodecs.ID, noCodecs.Codecs = "v0", ""
	tests := []struct {
		name       string
		renditions []media.Rendition
	}{
		{"video", videoLadder()},
		{"video_no_audio", videoLadder()[:3]},
		{"video_languages", languagesLadder()},
		{"video_no_codecs", []media.Rendition{noCodecs, videoLadder()[3]}},
		{"audio_only", audioLadder()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			require.NoError(t, WriteMaster(&b, tc.renditions))
			golden(t, "master_"+tc.name+".m3u8.golden", b.Bytes())

			// Every URI line names a rendition's playlist.
			uris := 0
			for _, line := range strings.Split(b.String(), "\n") {
				if line != "" && !strings.HasPrefix(line, "#") {
					require.Regexp(t, `^[va]\d/index\.m3u8$`, line)
					uris++
				}
			}
			require.NotZero(t, uris)
		})
	}
}

func TestWriteMasterVariantOrder(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, WriteMaster(&b, videoLadder()))
	var order []string
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasSuffix(line, "/index.m3u8") && !strings.HasPrefix(line, "#") {
			order = append(order, line)
		}
	}
	// 720p (2.8 + 0.384 Mb/s) exceeds the start budget, so 360p starts,
	// then the rest from highest to lowest.
	require.Equal(t, []string{"v2/index.m3u8", "v0/index.m3u8", "v1/index.m3u8"}, order)
}

func TestWriteMasterErrors(t *testing.T) {
	t.Parallel()
	v := videoLadder()[0]
	bad := func(mut func(*media.Rendition)) []media.Rendition {
		r := v
		mut(&r)
		return []media.Rendition{r}
	}
	tests := map[string][]media.Rendition{
		"none":         nil,
		"traversal id": bad(func(r *media.Rendition) { r.ID = ".." }),
		"slash id":     bad(func(r *media.Rendition) { r.ID = "a/b" }),
		"quote id":     bad(func(r *media.Rendition) { r.ID = `a"` }),
		"unknown type": bad(func(r *media.Rendition) { r.Type = "text" }),
		"duplicate":    {v, v},
	}
	for name, rs := range tests {
		require.Error(t, WriteMaster(&bytes.Buffer{}, rs), name)
		require.Error(t, WriteMPD(&bytes.Buffer{}, 1, rs, nil), name)
	}
}
