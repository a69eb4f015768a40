package manifest

import (
	"bytes"
	"strings"
)

// RewriteVTT returns a copy of a storyboard WebVTT file with query added to
// each cue's image URL, before any media fragment
// ("sprite.jpg#xywh=0,0,160,90" becomes "sprite.jpg?token=T#xywh=0,0,160,90").
//
// Only cue payload lines that are a single relative URL of an image are
// touched, so captions or chapters served through the same path pass
// unchanged instead of being corrupted.
func RewriteVTT(src []byte, query string) []byte {
	if query == "" {
		return bytes.Clone(src)
	}
	query = cleanQuery(query)
	lines := strings.SplitAfter(string(src), "\n")
	inCue := false
	for i, full := range lines {
		line := strings.TrimRight(full, "\r\n")
		switch {
		case strings.TrimSpace(line) == "":
			inCue = false
		case strings.Contains(line, "-->"):
			inCue = true // cue timings line; the payload follows
		case inCue && isImageURL(line):
			lines[i] = appendQuery(line, query) + full[len(line):]
		}
	}
	return []byte(strings.Join(lines, ""))
}

func isImageURL(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t") {
		return false
	}
	p := s
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	p = strings.ToLower(p)
	for _, ext := range []string{".jpg", ".jpeg", ".png", ".webp", ".avif"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}
