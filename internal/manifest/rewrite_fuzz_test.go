package manifest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
)

// The targets below check what delivery relies on when it rewrites a
// manifest for a token URL: every child URL gets the token (none dropped),
// the token appears nowhere else (none forged: no new lines, tags or
// attributes), and everything else is kept. Seeds are the golden files plus
// hostile shapes found by earlier runs. The token is built the way the
// handler builds it ("token=" + url.QueryEscape(t)).

// fuzzQuery returns the query the handler would pass and the cleaned form
// that ends up in the output, or ok=false when src already contains the
// token so occurrences could not be attributed to the rewrite.
func fuzzQuery(src []byte, tok string) (query, cleaned string, ok bool) {
	query = "token=" + url.QueryEscape(tok)
	cleaned = cleanQuery(query)
	return query, cleaned, !bytes.Contains(src, []byte("token="))
}

// addSeedFiles adds each testdata file with ext as a seed.
func addSeedFiles(f *testing.F, ext string) {
	paths, _ := os.ReadDir("testdata")
	for _, e := range paths {
		name := e.Name()
		if !strings.HasSuffix(strings.TrimSuffix(name, ".golden"), ext) {
			continue
		}
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		if bytes.Contains(b, []byte("token=")) { // signed goldens: strip to the plain form
			continue
		}
		f.Add(b, "eyJrIjoiazEifQ.c2ln")
	}
}

// onlyInserted reports whether want is got minus n copies of cleaned, each
// with at most the one '?' or '&' appendQuery puts before it.
func onlyInserted(got, want, cleaned string, n int) bool {
	if strings.Count(got, cleaned) != n {
		return false
	}
	rest := strings.ReplaceAll(got, cleaned, "")
	// want must be rest with at most n separators deleted.
	i, j, dropped := 0, 0, 0
	for i < len(rest) {
		if j < len(want) && rest[i] == want[j] {
			i++
			j++
			continue
		}
		if rest[i] != '?' && rest[i] != '&' {
			return false
		}
		dropped++
		i++
	}
	return j == len(want) && dropped <= n
}

// hlsLines splits like RewriteHLS: on '\n', with a trailing '\r' kept out of
// the line.
func hlsLines(b []byte) []string {
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// uriAttrsWanted counts the URI attributes of a tag line a player would
// follow on this host: quoted values of an attribute named URI, relative.
// ok is false when the attribute list is not well formed enough to say.
func uriAttrsWanted(line string) (n int, ok bool) {
	_, list, found := strings.Cut(line, ":")
	if !found {
		return 0, true
	}
	for list != "" {
		name, rest, ok := strings.Cut(list, "=")
		if !ok || !attrName(name) {
			return 0, false
		}
		var val string
		quoted := strings.HasPrefix(rest, `"`)
		if quoted {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return 0, false
			}
			val, rest = rest[1:1+end], rest[2+end:]
			if rest != "" && rest[0] != ',' {
				return 0, false
			}
			rest = strings.TrimPrefix(rest, ",")
		} else {
			val, rest, _ = strings.Cut(rest, ",")
			if strings.Contains(val, `"`) {
				return 0, false
			}
		}
		if name == "URI" && quoted && val != "" && !isAbsoluteURL(val) {
			n++
		}
		list = rest
	}
	return n, true
}

// attrName reports whether s is an attribute name as RFC 8216 4.2 allows:
// A-Z, 0-9 and '-'.
func attrName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func FuzzRewriteHLSTokens(f *testing.F) {
	addSeedFiles(f, ".m3u8")
	f.Add([]byte("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\nseg_00000.m4s\n#EXT-X-ENDLIST\n"), "a.b")
	f.Add([]byte("#EXT-X-MEDIA:NAME=\"x,URI=\",URI=\"a.m3u8\"\r\n  v0/i.m3u8?x=1#f \r\n"), "t\n#EXT")
	f.Add([]byte("#EXT-X-KEY:METHOD=AES-128,KEYFORMATURI=\"k\",URI=\"key.bin\"\nhttps://cdn/s.m4s\n//h/x\n# c.m4s\n"), "")
	f.Add([]byte("#EXT-X-SESSION-DATA:DATA-ID=\"a\",URI=\"d.json\",X=\"\"\nseg?\nseg?a&\n"), "%2B+&=")
	f.Add([]byte("#EXT:,URI=\"0\""), "0") // an empty first attribute: malformed, nothing may be forged
	f.Fuzz(func(t *testing.T, src []byte, tok string) {
		query, cleaned, ok := fuzzQuery(src, tok)
		if !ok {
			return
		}
		out := RewriteHLS(src, query)
		in, got := hlsLines(src), hlsLines(out)
		if len(in) != len(got) {
			t.Fatalf("line count %d -> %d (a forged line):\n%q\n%q", len(in), len(got), src, out)
		}
		if limit := len(src) + (len(in)+bytes.Count(src, []byte(`URI="`)))*(len(cleaned)+1); len(out) > limit {
			t.Fatalf("output grew by %d bytes for %d lines", len(out)-len(src), len(in))
		}
		for i, l := range in {
			trimmed := strings.TrimSpace(l)
			want := 0 // token copies this line must carry
			switch {
			case trimmed == "" || strings.HasPrefix(trimmed, "#") && !strings.HasPrefix(trimmed, "#EXT"):
			case strings.HasPrefix(trimmed, "#EXT"):
				n, ok := uriAttrsWanted(l)
				if !ok {
					// Malformed list: only require that nothing was forged.
					n = strings.Count(got[i], cleaned)
				}
				want = n
			case !isAbsoluteURL(trimmed):
				want = 1
			}
			if !onlyInserted(got[i], l, cleaned, want) {
				t.Fatalf("line %d: want %d token(s) and nothing else changed:\nin  %q\nout %q", i, want, l, got[i])
			}
		}
	})
}

func FuzzRewriteVTTTokens(f *testing.F) {
	addSeedFiles(f, ".vtt")
	f.Add([]byte("WEBVTT\n\n00:00.000 --> 00:02.000\nsprite.jpg#xywh=0,0,160,90\n\n00:02.000 --> 00:04.000\nHello.jpg caption\n"), "a.b")
	f.Add([]byte("WEBVTT\r\n\r\n1\r\n00:00.000 --> 00:02.000\r\nhttps://cdn/x.jpg\r\n./a.PNG?x#y\r\n"), "t\n-->")
	f.Fuzz(func(t *testing.T, src []byte, tok string) {
		query, cleaned, ok := fuzzQuery(src, tok)
		if !ok {
			return
		}
		out := RewriteVTT(src, query)
		in, got := strings.SplitAfter(string(src), "\n"), strings.SplitAfter(string(out), "\n")
		if len(in) != len(got) {
			t.Fatalf("line count %d -> %d", len(in), len(got))
		}
		inCue := false
		for i, full := range in {
			line := strings.TrimRight(full, "\r\n")
			want := 0
			switch {
			case strings.TrimSpace(line) == "":
				inCue = false
			case strings.Contains(line, "-->"):
				inCue = true
			case inCue && isImageURL(line) && !isAbsoluteURL(line):
				want = 1
			}
			if !onlyInserted(got[i], full, cleaned, want) {
				t.Fatalf("line %d: want %d token(s):\nin  %q\nout %q", i, want, full, got[i])
			}
		}
	})
}

// xmlEvent is one decoded MPD token reduced to what the rewrite may touch.
type xmlEvent struct {
	kind  string // "start", "end", "text" (BaseURL text only)
	name  string // namespace and local name
	local string
	attrs []xml.Attr
	text  string
}

// mpdEvents decodes doc into start/end elements and the trimmed text of
// each BaseURL. Elements nested in a BaseURL are not kept: the rewrite
// replaces a BaseURL's whole content with its URL.
func mpdEvents(doc []byte) ([]xmlEvent, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var (
		out      []xmlEvent
		baseText *strings.Builder
		depth    int // element depth inside the current BaseURL
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if baseText != nil {
				depth++
				continue
			}
			out = append(out, xmlEvent{kind: "start", name: t.Name.Space + " " + t.Name.Local, local: t.Name.Local, attrs: t.Attr})
			if t.Name.Local == "BaseURL" {
				baseText, depth = &strings.Builder{}, 0
			}
		case xml.EndElement:
			if baseText != nil && depth > 0 {
				depth--
				continue
			}
			if baseText != nil {
				out = append(out, xmlEvent{kind: "text", text: strings.TrimSpace(baseText.String())})
				baseText = nil
			}
			out = append(out, xmlEvent{kind: "end", name: t.Name.Space + " " + t.Name.Local})
		case xml.CharData:
			if baseText != nil {
				baseText.Write(t)
			}
		}
	}
}

func FuzzRewriteMPDTokens(f *testing.F) {
	addSeedFiles(f, ".mpd")
	f.Add([]byte(`<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><Period><BaseURL> v0/ </BaseURL><AdaptationSet>`+
		`<SegmentTemplate media="seg_$Number%05d$.m4s" initialization='init.mp4' timescale="1"/>`+
		`<Representation id="0"><BaseURL>a&amp;b.mp4</BaseURL><SegmentList><Initialization sourceURL="i.mp4"/>`+
		`<SegmentURL media="s1.m4s" index="https://x/i"/></SegmentList></Representation></AdaptationSet></Period></MPD>`), "a$b")
	f.Add([]byte(`<MPD><BaseURL>a<!-- c --><![CDATA[b]]></BaseURL><RepresentationIndex sourceURL="r&#x9;.sidx"/></MPD>`), "t\"<")
	f.Add([]byte(`<MPD><SegmentURL media = "a" x:media="b" xmlns:x="urn:x"/></MPD>`), "1")
	f.Add([]byte(`<MPD xmlns=" "><Period><SegmentList><SegmentURL media="0"/></SegmentList></Period></MPD>`), "0")
	f.Fuzz(func(t *testing.T, src []byte, tok string) {
		query, cleaned, ok := fuzzQuery(src, tok)
		if !ok {
			return
		}
		out, err := RewriteMPD(src, query)
		if err != nil {
			return // refused: delivery answers 500, nothing is served
		}
		before, err := mpdEvents(src)
		if err != nil {
			// The rewrite stops at the first error too, so this means it
			// accepted a document the decoder rejects.
			t.Fatalf("rewrite accepted an MPD that does not parse: %v", err)
		}
		after, err := mpdEvents(out)
		if err != nil {
			t.Fatalf("rewritten MPD does not parse: %v\nin  %q\nout %q", err, src, out)
		}
		if len(before) != len(after) {
			t.Fatalf("structure changed: %d -> %d events\nin  %q\nout %q", len(before), len(after), src, out)
		}
		for i, b := range before {
			a := after[i]
			if a.kind != b.kind || a.name != b.name || len(a.attrs) != len(b.attrs) {
				t.Fatalf("event %d changed: %+v -> %+v", i, b, a)
			}
			if b.kind == "text" {
				want := b.text
				if want != "" && !strings.HasSuffix(want, "/") {
					want = appendQuery(want, cleaned)
				}
				if a.text != want {
					t.Fatalf("BaseURL %q became %q, want %q", b.text, a.text, want)
				}
				continue
			}
			local := b.local
			for j, ba := range b.attrs {
				aa := a.attrs[j]
				want := ba.Value
				if ba.Name.Space == "" && slices.Contains(mpdURLAttrs[local], ba.Name.Local) {
					q := cleaned
					if local == "SegmentTemplate" {
						q = strings.ReplaceAll(cleaned, "$", "$$")
					}
					want = appendQuery(ba.Value, q)
				}
				if aa.Name != ba.Name || aa.Value != want {
					t.Fatalf("<%s %s=%q> became %s=%q, want %q", local, ba.Name.Local, ba.Value, aa.Name.Local, aa.Value, want)
				}
			}
		}
	})
}
