package manifest

import (
	"bytes"
	"strings"
)

// RewriteHLS returns a copy of the playlist src with query (e.g. "token=T")
// appended to every URI line and every URI="..." attribute (EXT-X-MAP,
// EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF, EXT-X-KEY, ...), so a player that
// fetched this playlist with a signed URL fetches every child with it too.
// Line endings and everything else are kept byte for byte. It never fails:
// input it does not understand passes through unchanged. query should be
// URL-encoded; bytes a query may not contain are percent-encoded (see
// cleanQuery) so it can never inject lines.
func RewriteHLS(src []byte, query string) []byte {
	if query == "" {
		return bytes.Clone(src)
	}
	query = cleanQuery(query)
	out := make([]byte, 0, len(src)+len(src)/8)
	for rest := src; len(rest) > 0; {
		line := rest
		var eol []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, eol, rest = rest[:i], rest[i:i+1], rest[i+1:]
		} else {
			rest = nil
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line, eol = line[:n-1], append([]byte("\r"), eol...)
		}
		out = append(out, rewriteHLSLine(string(line), query)...)
		out = append(out, eol...)
	}
	return out
}

func rewriteHLSLine(line, query string) string {
	trimmed := strings.TrimSpace(line)
	switch {
	case trimmed == "":
		return line
	case strings.HasPrefix(trimmed, "#EXT"):
		return rewriteURIAttrs(line, query)
	case strings.HasPrefix(trimmed, "#"):
		return line // comment
	}
	// A URI line; keep surrounding whitespace where it was.
	start := strings.Index(line, trimmed)
	return line[:start] + appendQuery(trimmed, query) + line[start+len(trimmed):]
}

// rewriteURIAttrs rewrites the quoted value of every attribute named exactly
// URI in a tag line. The name must start the attribute list or follow a comma,
// so that an attribute such as "KEYFORMATURI" would not match, and scanning
// skips quoted strings so a value containing `,URI="` is not mistaken for one.
func rewriteURIAttrs(line, query string) string {
	colon := strings.IndexByte(line, ':')
	if colon < 0 {
		return line
	}
	var b strings.Builder
	b.WriteString(line[:colon+1])
	i := colon + 1
	atNameStart := true
	for i < len(line) {
		c := line[i]
		if atNameStart && strings.HasPrefix(line[i:], `URI="`) {
			vstart := i + len(`URI="`)
			vend := strings.IndexByte(line[vstart:], '"')
			if vend < 0 {
				b.WriteString(line[i:]) // unterminated: leave the rest alone
				return b.String()
			}
			b.WriteString(`URI="`)
			b.WriteString(appendQuery(line[vstart:vstart+vend], query))
			b.WriteByte('"')
			i = vstart + vend + 1
			atNameStart = false
			continue
		}
		if c == '"' { // copy any other quoted string whole
			end := strings.IndexByte(line[i+1:], '"')
			if end < 0 {
				b.WriteString(line[i:])
				return b.String()
			}
			b.WriteString(line[i : i+end+2])
			i += end + 2
			atNameStart = false
			continue
		}
		b.WriteByte(c)
		atNameStart = c == ','
		i++
	}
	return b.String()
}
