package manifest

import (
	"bytes"
	"strconv"
)

// HLSTemplate is a playlist with the places where RewriteHLS appends its
// query found once, so that rewriting it for each viewer's token is a copy:
// Render(q) returns what RewriteHLS(src, q) would, without parsing again.
type HLSTemplate struct {
	src    []byte
	chunks [][]byte // the output of the rewrite between insertions, len = insertions+1
	size   int      // sum of the chunks' lengths
}

// CompileHLS finds where RewriteHLS inserts a query into src. It rewrites src
// once with a marker query that src does not contain and splits the result
// on it. RewriteHLS decides where to insert from src alone, never from the
// query (other than an empty one, handled apart), so the marker lands exactly
// where any query would. The marker is 'Q' followed by lowercase letters and
// digits only: it has no proper border, so it cannot be matched across the
// edge of an insertion, and an occurrence in the output is an insertion.
func CompileHLS(src []byte) *HLSTemplate {
	marker := []byte("Qkinemaquerymark")
	for n := 0; bytes.Contains(src, marker); n++ {
		marker = []byte("Qkinemaquerymark" + strconv.Itoa(n))
	}
	out := RewriteHLS(src, string(marker))
	t := &HLSTemplate{src: bytes.Clone(src), chunks: bytes.Split(out, marker)}
	for _, c := range t.chunks {
		t.size += len(c)
	}
	return t
}

// Render returns the playlist rewritten with query, byte for byte what
// RewriteHLS(src, query) returns.
func (t *HLSTemplate) Render(query string) []byte {
	if query == "" {
		return bytes.Clone(t.src)
	}
	q := cleanQuery(query)
	out := make([]byte, 0, t.size+(len(t.chunks)-1)*len(q))
	for i, c := range t.chunks {
		if i > 0 {
			out = append(out, q...)
		}
		out = append(out, c...)
	}
	return out
}

// Size is about how many bytes the template holds.
func (t *HLSTemplate) Size() int { return len(t.src) + t.size }
