package manifest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// mpdURLAttrs lists, per element, the attributes holding URLs or URL
// templates. Template attributes get '$' in the query escaped as "$$".
var mpdURLAttrs = map[string][]string{
	"SegmentTemplate":     {"media", "initialization", "index"},
	"SegmentURL":          {"media", "index"},
	"Initialization":      {"sourceURL"},
	"RepresentationIndex": {"sourceURL"},
}

// RewriteMPD returns a copy of the MPD src with query added to every segment
// URL: SegmentTemplate@media/@initialization/@index at any level (Period,
// AdaptationSet, Representation), SegmentURL, Initialization and
// RepresentationIndex, and BaseURL when it names a file.
//
// A BaseURL ending in '/' is left alone: resolving a relative reference
// against it drops the base's query (RFC 3986 5.2.2), so the token must ride
// on the templates instead.
//
// The document is scanned with encoding/xml to find elements, but bytes are
// spliced into the original rather than re-encoded, because encoding/xml
// cannot round-trip namespaces; everything not rewritten stays byte for byte.
func RewriteMPD(src []byte, query string) ([]byte, error) {
	if query == "" {
		return bytes.Clone(src), nil
	}
	query = cleanQuery(query)
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	dec := xml.NewDecoder(bytes.NewReader(src))
	var (
		prev      int64 // offset where the current token starts
		inBase    bool
		baseStart int64
		baseText  strings.Builder
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("manifest: parse MPD: %w", err)
		}
		off := dec.InputOffset()
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "BaseURL" {
				inBase, baseStart = true, off
				baseText.Reset()
			}
			names := mpdURLAttrs[t.Name.Local]
			if len(names) == 0 {
				break
			}
			spans, err := attrSpans(src[prev:off])
			if err != nil {
				return nil, fmt.Errorf("manifest: parse MPD: <%s>: %w", t.Name.Local, err)
			}
			for _, a := range t.Attr {
				if a.Name.Space != "" || !slices.Contains(names, a.Name.Local) {
					continue
				}
				sp, ok := spans[a.Name.Local]
				if !ok {
					return nil, fmt.Errorf("manifest: MPD attribute %s not found in source", a.Name.Local)
				}
				q := query
				if t.Name.Local == "SegmentTemplate" {
					q = strings.ReplaceAll(query, "$", "$$")
				}
				edits = append(edits, edit{int(prev) + sp[0], int(prev) + sp[1], escapeXMLAttr(appendQuery(a.Value, q))})
			}
		case xml.CharData:
			if inBase {
				baseText.Write(t)
			}
		case xml.EndElement:
			if inBase && t.Name.Local == "BaseURL" {
				inBase = false
				u := strings.TrimSpace(baseText.String())
				if u != "" && !strings.HasSuffix(u, "/") {
					edits = append(edits, edit{int(baseStart), int(prev), escapeXMLAttr(appendQuery(u, query))})
				}
			}
		}
		prev = off
	}
	var out bytes.Buffer
	out.Grow(len(src) + len(edits)*(len(query)+8))
	last := 0
	for _, e := range edits {
		if e.start < last || e.end < e.start { // cannot happen for well-formed input; never panic
			return nil, fmt.Errorf("manifest: MPD rewrite: overlapping edits")
		}
		out.Write(src[last:e.start])
		out.WriteString(e.text)
		last = e.end
	}
	out.Write(src[last:])
	return out.Bytes(), nil
}

// attrSpans finds where each attribute's raw (still escaped) value sits in a
// start tag such as `<SegmentTemplate media="a" timescale='1'/>`, as offsets
// into tag. The decoder has already checked the tag is well formed, but it
// does not reject repeated attributes, which would make the edits ambiguous.
func attrSpans(tag []byte) (map[string][2]int, error) {
	spans := map[string][2]int{}
	i := 1 // skip '<'
	for i < len(tag) && !isXMLSpace(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++
	}
	for {
		for i < len(tag) && isXMLSpace(tag[i]) {
			i++
		}
		if i >= len(tag) || tag[i] == '/' || tag[i] == '>' {
			return spans, nil
		}
		nameStart := i
		for i < len(tag) && tag[i] != '=' && !isXMLSpace(tag[i]) {
			i++
		}
		name := string(tag[nameStart:i])
		for i < len(tag) && (isXMLSpace(tag[i]) || tag[i] == '=') {
			i++
		}
		if i >= len(tag) {
			return nil, errors.New("truncated tag")
		}
		quote := tag[i]
		i++
		end := bytes.IndexByte(tag[i:], quote)
		if end < 0 {
			return nil, errors.New("unterminated attribute value")
		}
		if _, dup := spans[name]; dup {
			return nil, fmt.Errorf("repeated attribute %s", name)
		}
		spans[name] = [2]int{i, i + end}
		i += end + 1
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// escapeXMLAttr escapes s for an attribute value or element text.
func escapeXMLAttr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // escapes quotes too; never fails on a Builder
	return b.String()
}
