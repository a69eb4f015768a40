package manifest

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const q = "token=T.s-_"

func TestAppendQuery(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"seg.m4s", "seg.m4s?" + q},
		{"v0/index.m3u8", "v0/index.m3u8?" + q},
		{"seg.m4s?a=1", "seg.m4s?a=1&" + q},
		{"seg.m4s?", "seg.m4s?" + q},
		{"seg.m4s?a=1&", "seg.m4s?a=1&" + q},
		{"s.jpg#xywh=0,0,1,1", "s.jpg?" + q + "#xywh=0,0,1,1"},
		{"s.jpg?a#x", "s.jpg?a&" + q + "#x"},
		{"../a0/x.m4s", "../a0/x.m4s?" + q}, // relative, stays on this host
		{"/media/x/a.m4s", "/media/x/a.m4s?" + q},
		{"https://cdn.example/a.m4s", "https://cdn.example/a.m4s"},
		{"HTTP://cdn.example/a.m4s", "HTTP://cdn.example/a.m4s"},
		{"//cdn.example/a.m4s", "//cdn.example/a.m4s"},
		{"data:text/plain,hi", "data:text/plain,hi"},
		{"skd://key", "skd://key"},
		{"a/b:c.m4s", "a/b:c.m4s?" + q}, // ':' after '/' is not a scheme
		{"", ""},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, appendQuery(tc.in, q), tc.in)
	}
}

func TestCleanQuery(t *testing.T) {
	t.Parallel()
	require.Equal(t, "token=a.b-_c", cleanQuery("token=a.b-_c"))
	require.Equal(t, "t=%0A%23EXT-X-ENDLIST%22%20x", cleanQuery("t=\n#EXT-X-ENDLIST\" x"))
	require.Equal(t, "t=%2B&u=$", cleanQuery("t=%2B&u=$"))
	// An injected line break cannot add a playlist line.
	got := RewriteHLS([]byte("#EXTM3U\nseg.m4s\n"), "t=1\nevil.m4s")
	require.Equal(t, "#EXTM3U\nseg.m4s?t=1%0Aevil.m4s\n", string(got))
}

func TestRewriteHLS(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{
			name: "master",
			in: "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Stereo\",URI=\"a0/index.m3u8\"\n" +
				"#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001e,mp4a.40.2\",AUDIO=\"audio\"\nv0/index.m3u8\n" +
				"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"v0/iframes.m3u8\"\n",
			want: "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Stereo\",URI=\"a0/index.m3u8?" + q + "\"\n" +
				"#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001e,mp4a.40.2\",AUDIO=\"audio\"\nv0/index.m3u8?" + q + "\n" +
				"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"v0/iframes.m3u8?" + q + "\"\n",
		},
		{
			name: "media",
			in:   "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4.0,\nseg_00000.m4s\n#EXT-X-ENDLIST\n",
			want: "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4?" + q + "\"\n#EXTINF:4.0,\nseg_00000.m4s?" + q + "\n#EXT-X-ENDLIST\n",
		},
		{
			name: "crlf and no final newline",
			in:   "#EXTM3U\r\n#EXT-X-MAP:URI=\"init.mp4\"\r\n#EXTINF:4,\r\nseg.m4s",
			want: "#EXTM3U\r\n#EXT-X-MAP:URI=\"init.mp4?" + q + "\"\r\n#EXTINF:4,\r\nseg.m4s?" + q,
		},
		{name: "existing query", in: "#EXTINF:4,\nseg.m4s?x=1\n", want: "#EXTINF:4,\nseg.m4s?x=1&" + q + "\n"},
		{name: "absolute untouched", in: "#EXT-X-MAP:URI=\"https://cdn/i.mp4\"\nhttps://cdn/s.m4s\n//cdn/s2.m4s\n",
			want: "#EXT-X-MAP:URI=\"https://cdn/i.mp4\"\nhttps://cdn/s.m4s\n//cdn/s2.m4s\n"},
		{name: "comments and blanks", in: "# just a comment seg.m4s\n\n  \n#EXT-X-ENDLIST\n", want: "# just a comment seg.m4s\n\n  \n#EXT-X-ENDLIST\n"},
		{name: "whitespace around uri", in: "  seg.m4s \n", want: "  seg.m4s?" + q + " \n"},
		{name: "uri lookalike inside quoted value", in: "#EXT-X-MEDIA:NAME=\"x,URI=\",URI=\"a.m3u8\"\n",
			want: "#EXT-X-MEDIA:NAME=\"x,URI=\",URI=\"a.m3u8?" + q + "\"\n"},
		{name: "other attribute ending in URI", in: "#EXT-X-KEY:METHOD=AES-128,KEYFORMATURI=\"k\",URI=\"key.bin\"\n",
			want: "#EXT-X-KEY:METHOD=AES-128,KEYFORMATURI=\"k\",URI=\"key.bin?" + q + "\"\n"},
		{name: "unterminated attribute", in: "#EXT-X-MAP:URI=\"init.mp4\n", want: "#EXT-X-MAP:URI=\"init.mp4\n"},
		{name: "empty", in: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, string(RewriteHLS([]byte(tc.in), q)))
			require.Equal(t, tc.in, string(RewriteHLS([]byte(tc.in), "")), "empty query is a no-op")
		})
	}
}

func TestRewriteHLSGoldenMaster(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("testdata", "master_video.m3u8.golden"))
	require.NoError(t, err)
	got := RewriteHLS(src, q)
	golden(t, "master_video_signed.m3u8.golden", got)
	for _, line := range strings.Split(string(got), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			require.True(t, strings.HasSuffix(line, "?"+q), line)
		}
		if strings.Contains(line, "URI=") {
			require.Contains(t, line, "?"+q+`"`)
		}
	}
}

func TestRewriteMPD(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("testdata", "manifest_video.mpd.golden"))
	require.NoError(t, err)
	got, err := RewriteMPD(src, q)
	require.NoError(t, err)
	golden(t, "manifest_video_signed.mpd.golden", got)

	var doc parsedMPD
	require.NoError(t, xml.Unmarshal(got, &doc))
	for _, set := range doc.Sets {
		for _, rep := range set.Reps {
			require.Equal(t, rep.ID+"/seg_$Number%05d$.m4s?"+q, rep.Template.Media)
			require.Equal(t, rep.ID+"/init.mp4?"+q, rep.Template.Init)
		}
	}
	// Nothing but the two attributes per representation changed.
	require.Equal(t, len(src)+5*2*len("?"+q), len(got))
}

func TestRewriteMPDCases(t *testing.T) {
	t.Parallel()
	const head = `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:xlink="http://www.w3.org/1999/xlink">`
	tests := []struct {
		name, in, query, want string
	}{
		{
			name:  "period level template, single quotes, spacing",
			in:    head + `<Period><SegmentTemplate timescale='1' media = 's$Number$.m4s' initialization="i.mp4"/></Period></MPD>`,
			query: q,
			want:  head + `<Period><SegmentTemplate timescale='1' media = 's$Number$.m4s?` + q + `' initialization="i.mp4?` + q + `"/></Period></MPD>`,
		},
		{
			name:  "existing query is escaped",
			in:    head + `<SegmentTemplate media="s.m4s?a=1&amp;b=2"/></MPD>`,
			query: q,
			want:  head + `<SegmentTemplate media="s.m4s?a=1&amp;b=2&amp;` + q + `"/></MPD>`,
		},
		{
			name:  "dollar in query is escaped in templates only",
			in:    head + `<SegmentTemplate media="s.m4s"/><SegmentURL media="x.m4s"/></MPD>`,
			query: "t=a$b",
			want:  head + `<SegmentTemplate media="s.m4s?t=a$$b"/><SegmentURL media="x.m4s?t=a$b"/></MPD>`,
		},
		{
			name:  "segment list and base",
			in:    head + `<BaseURL>v0/</BaseURL><BaseURL> single.mp4 </BaseURL><SegmentBase><Initialization sourceURL="i.mp4"/></SegmentBase><SegmentList><SegmentURL media="a.m4s"/></SegmentList></MPD>`,
			query: q,
			want:  head + `<BaseURL>v0/</BaseURL><BaseURL>single.mp4?` + q + `</BaseURL><SegmentBase><Initialization sourceURL="i.mp4?` + q + `"/></SegmentBase><SegmentList><SegmentURL media="a.m4s?` + q + `"/></SegmentList></MPD>`,
		},
		{
			name:  "absolute and prefixed attributes untouched",
			in:    head + `<Period xlink:href="x"><SegmentTemplate media="https://cdn/s.m4s" xlink:media="y"/><BaseURL>https://cdn/</BaseURL></Period></MPD>`,
			query: q,
			want:  head + `<Period xlink:href="x"><SegmentTemplate media="https://cdn/s.m4s" xlink:media="y"/><BaseURL>https://cdn/</BaseURL></Period></MPD>`,
		},
		{
			name:  "attribute name inside another value",
			in:    head + `<SegmentTemplate x="media=&quot;no&quot;" media="s.m4s"/></MPD>`,
			query: q,
			want:  head + `<SegmentTemplate x="media=&quot;no&quot;" media="s.m4s?` + q + `"/></MPD>`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := RewriteMPD([]byte(tc.in), tc.query)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
		})
	}
}

func TestRewriteMPDErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"<MPD>",
		"not xml <",
		`<MPD><SegmentTemplate media="a" media="b"/></MPD>`,
		`<MPD><SegmentTemplate media="a"></MPD>`,
	} {
		_, err := RewriteMPD([]byte(in), q)
		require.Error(t, err, in)
	}
	got, err := RewriteMPD([]byte("anything"), "")
	require.NoError(t, err)
	require.Equal(t, "anything", string(got))
}

func TestRewriteVTT(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("testdata", "storyboard.vtt"))
	require.NoError(t, err)
	got := RewriteVTT(src, q)
	golden(t, "storyboard_signed.vtt.golden", got)
	require.Equal(t, 3, bytes.Count(got, []byte("storyboard.jpg?"+q+"#xywh=")))

	tests := []struct{ name, in, want string }{
		{"crlf", "WEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\ns.jpg#xywh=0,0,1,1\r\n",
			"WEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\ns.jpg?" + q + "#xywh=0,0,1,1\r\n"},
		{"caption text untouched", "WEBVTT\n\n1\n00:00.000 --> 00:01.000\nSee photo.jpg now\nnext.jpg\n",
			"WEBVTT\n\n1\n00:00.000 --> 00:01.000\nSee photo.jpg now\nnext.jpg?" + q + "\n"},
		{"outside cue untouched", "WEBVTT\n\nNOTE\nx.jpg\n", "WEBVTT\n\nNOTE\nx.jpg\n"},
		{"absolute untouched", "WEBVTT\n\n00:00.000 --> 00:01.000\nhttps://cdn/s.jpg#xywh=0,0,1,1\n",
			"WEBVTT\n\n00:00.000 --> 00:01.000\nhttps://cdn/s.jpg#xywh=0,0,1,1\n"},
		{"non image untouched", "WEBVTT\n\n00:00.000 --> 00:01.000\nchapter-one\n", "WEBVTT\n\n00:00.000 --> 00:01.000\nchapter-one\n"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, string(RewriteVTT([]byte(tc.in), q)), tc.name)
		require.Equal(t, tc.in, string(RewriteVTT([]byte(tc.in), "")), tc.name)
	}
}
