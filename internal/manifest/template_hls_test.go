package manifest

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestHLSTemplateMatchesRewrite(t *testing.T) {
	srcs := []string{
		"",
		"#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\nseg_00000.m4s\r\n  seg_1.m4s?x=1  \n#EXT-X-ENDLIST",
		"Qkinemaquerymark\nQkinemaquerymark0\n#EXT-X-KEY:METHOD=AES-128,URI=\"k?\",KEYFORMATURI=\"x\"\nQ\n",
		"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv0/index.m3u8#frag\nhttps://cdn.example/abs.m3u8\n",
	}
	paths, _ := os.ReadDir("testdata")
	for _, e := range paths {
		if strings.Contains(e.Name(), ".m3u8") {
			b, err := os.ReadFile("testdata/" + e.Name())
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, string(b))
		}
	}
	for _, src := range srcs {
		tmpl := CompileHLS([]byte(src))
		for _, q := range []string{"", "token=abc.DEF_-", "token=a%20b\r\n\"#", "Qkinemaquerymark"} {
			want := RewriteHLS([]byte(src), q)
			if got := tmpl.Render(q); !bytes.Equal(got, want) {
				t.Fatalf("src %q query %q:\n got %q\nwant %q", src, q, got, want)
			}
		}
	}
}

// FuzzHLSTemplate holds Render to RewriteHLS on any playlist and query.
func FuzzHLSTemplate(f *testing.F) {
	addSeedFiles(f, ".m3u8")
	f.Add([]byte("#EXTM3U\nQkinemaquerymark\nseg.m4s?\n#EXT-X-MAP:URI=\"Qkinemaquerymark0\"\n"), "token=x")
	f.Fuzz(func(t *testing.T, src []byte, query string) {
		want := RewriteHLS(src, query)
		if got := CompileHLS(src).Render(query); !bytes.Equal(got, want) {
			t.Fatalf("src %q query %q:\n got %q\nwant %q", src, query, got, want)
		}
	})
}
