package manifest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseMediaPlaylist(t *testing.T) {
	t.Parallel()
	// Written by ffmpeg 5.1 with -hls_segment_type fmp4 -hls_playlist_type vod.
	ffmpeg := "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n" +
		"#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000000,\nseg_00000.m4s\n" +
		"#EXTINF:2.000000,\nseg_00001.m4s\n#EXTINF:1.000000,\nseg_00002.m4s\n#EXT-X-ENDLIST\n"
	want := MediaPlaylist{
		Version: 7, TargetDuration: 2, MapURI: "init.mp4", EndList: true,
		Segments: []Segment{{"seg_00000.m4s", 2}, {"seg_00001.m4s", 2}, {"seg_00002.m4s", 1}},
	}
	tests := []struct {
		name    string
		in      string
		want    *MediaPlaylist
		wantErr string
	}{
		{name: "ffmpeg", in: ffmpeg, want: &want},
		{name: "crlf", in: strings.ReplaceAll(ffmpeg, "\n", "\r\n"), want: &want},
		{name: "bom", in: "\uFEFF" + ffmpeg, want: &want},
		{name: "no trailing newline", in: strings.TrimSuffix(ffmpeg, "\n"), want: &want},
		{name: "extinf title and map attrs", in: "#EXTM3U\n#EXT-X-MAP:URI=\"i,1.mp4\",X=1\n#EXTINF:1.5,Some title\ns1.m4s\n",
			want: &MediaPlaylist{MapURI: "i,1.mp4", Segments: []Segment{{"s1.m4s", 1.5}}}},
		{name: "empty", in: "", wantErr: "empty"},
		{name: "not m3u8", in: "hello\n", wantErr: "not an M3U8"},
		{name: "no segments", in: "#EXTM3U\n#EXT-X-ENDLIST\n", wantErr: "no segments"},
		{name: "uri without extinf", in: "#EXTM3U\nseg.m4s\n", wantErr: "without EXTINF"},
		{name: "extinf at end", in: "#EXTM3U\n#EXTINF:1,\n", wantErr: "without URI"},
		{name: "two extinf", in: "#EXTM3U\n#EXTINF:1,\n#EXTINF:1,\na\n", wantErr: "without URI"},
		{name: "bad duration", in: "#EXTM3U\n#EXTINF:abc,\na\n", wantErr: "EXTINF"},
		{name: "negative duration", in: "#EXTM3U\n#EXTINF:-1,\na\n", wantErr: "EXTINF"},
		{name: "nan duration", in: "#EXTM3U\n#EXTINF:NaN,\na\n", wantErr: "EXTINF"},
		{name: "byterange", in: "#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:100@0\na\n", wantErr: "byte-range"},
		{name: "map byterange", in: "#EXTM3U\n#EXT-X-MAP:URI=\"a\",BYTERANGE=\"1@0\"\n#EXTINF:1,\na\n", wantErr: "byte-range"},
		{name: "map without uri", in: "#EXTM3U\n#EXT-X-MAP:X=1\n#EXTINF:1,\na\n", wantErr: "without URI"},
		{name: "unterminated map", in: "#EXTM3U\n#EXT-X-MAP:URI=\"a\n#EXTINF:1,\na\n", wantErr: "unterminated"},
		{name: "master playlist", in: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv0/index.m3u8\n", wantErr: "multivariant"},
		{name: "bad target duration", in: "#EXTM3U\n#EXT-X-TARGETDURATION:x\n", wantErr: "TARGETDURATION"},
		{name: "huge line", in: "#EXTM3U\n" + strings.Repeat("a", maxLine+1) + "\n", wantErr: "too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseMediaPlaylist(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, *tc.want, got)
		})
	}
}

func TestMediaPlaylistDuration(t *testing.T) {
	t.Parallel()
	pl := readPlaylist(t, "v0.m3u8")
	require.InDelta(t, 13.5135, pl.Duration(), 1e-9)
	require.Len(t, pl.Segments, 4)
}
