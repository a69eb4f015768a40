package manifest

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzRewriteHLS(f *testing.F) {
	f.Add([]byte("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\nseg.m4s\n"), "token=T")
	f.Add([]byte("#EXT-X-MEDIA:NAME=\"a,URI=\",URI=\"x\"\r\nv0/index.m3u8?a#b\n"), "t=1")
	f.Add([]byte("#EXT:URI=\"\nURI=\"\"\n\r\r\n"), "")
	f.Fuzz(func(t *testing.T, src []byte, query string) {
		got := RewriteHLS(src, query)
		if bytes.Count(got, []byte("\n")) != bytes.Count(src, []byte("\n")) {
			t.Fatalf("line count changed:\n%q\n%q", src, got)
		}
		if query == "" && !bytes.Equal(got, src) {
			t.Fatalf("empty query changed input")
		}
		if len(got) < len(src) {
			t.Fatalf("output shrank")
		}
	})
}

func FuzzParseMediaPlaylist(f *testing.F) {
	f.Add("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\nseg_00000.m4s\n")
	f.Add("#EXTM3U\n#EXT-X-MAP:URI=\"a\",B=\"c\n")
	f.Fuzz(func(t *testing.T, src string) {
		pl, err := ParseMediaPlaylist(strings.NewReader(src))
		if err == nil {
			// Whatever parses must not make the MPD writer panic either.
			_, _ = segmentTemplate("v0", pl)
		}
	})
}

func FuzzRewriteMPD(f *testing.F) {
	f.Add([]byte(`<MPD><SegmentTemplate media="s$Number%05d$.m4s" initialization="i.mp4"/><BaseURL>a.mp4</BaseURL></MPD>`), "token=T")
	f.Add([]byte(`<MPD><SegmentURL media='a' index="b"></SegmentURL></MPD>`), "t=$")
	f.Fuzz(func(t *testing.T, src []byte, query string) {
		_, _ = RewriteMPD(src, query)
	})
}
