package ffmpeg

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
)

func TestParseTextProbe(t *testing.T) {
	out := `{"streams":[
	 {"index":0,"codec_type":"video","codec_name":"h264"},
	 {"index":2,"codec_type":"subtitle","codec_name":"subrip","disposition":{"default":1,"hearing_impaired":1},"tags":{"language":"eng"}},
	 {"index":3,"codec_type":"subtitle","codec_name":"hdmv_pgs_subtitle","tags":{"language":"fre"}},
	 {"index":4,"codec_type":"subtitle","codec_name":"ass","tags":{"language":"fre","title":"Français"}}],
	"chapters":[
	 {"start_time":"0.000000","tags":{"title":"Opening"}},
	 {"start_time":"2.000000","tags":{"title":"  The\n end  "}},
	 {"start_time":"1.000000","tags":{"title":"out of order"}},
	 {"start_time":"5.5","tags":{}}]}`
	info, err := parseTextProbe([]byte(out))
	require.NoError(t, err)
	require.Equal(t, []TextStream{
		{Index: 2, Codec: "subrip", Language: "eng", Default: true, Hearing: true},
		{Index: 4, Codec: "ass", Language: "fre", Title: "Français"},
	}, info.Streams, "bitmap subtitles are left out")
	require.Equal(t, []media.Chapter{{Start: 0, Title: "Opening"}, {Start: 2, Title: "The end"}, {Start: 5.5, Title: "Chapter 4"}}, info.Chapters)

	args := TextExtractArgs("/in/src.mkv", info.Streams, "/out", 5)
	require.Equal(t, []string{"-protocol_whitelist", "file", "-format_whitelist", FormatWhitelist, "-vn", "-an", "-dn", "-t", "5",
		"-i", "file:/in/src.mkv",
		"-map", "0:2", "-c:s", "webvtt", "-f", "webvtt", "/out/text_2.vtt",
		"-map", "0:4", "-c:s", "webvtt", "-f", "webvtt", "/out/text_4.vtt"}, args)
}
