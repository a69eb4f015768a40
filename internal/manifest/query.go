package manifest

import "strings"

// appendQuery adds query to the URL u: after an existing query with '&',
// otherwise after '?', and always before a fragment ("sprite.jpg#xywh=..."
// becomes "sprite.jpg?token=T#xywh=..."). Absolute and scheme-relative URLs
// are returned unchanged so the credential never travels to another host.
func appendQuery(u, query string) string {
	if query == "" || u == "" || isAbsoluteURL(u) {
		return u
	}
	base, frag, hasFrag := strings.Cut(u, "#")
	switch {
	case !strings.Contains(base, "?"):
		base += "?" + query
	case strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&"):
		base += query
	default:
		base += "&" + query
	}
	if hasFrag {
		return base + "#" + frag
	}
	return base
}

// isAbsoluteURL reports whether u names its own host: a scheme ("https:",
// "data:") before any '/', '?' or '#', or a leading "//".
func isAbsoluteURL(u string) bool {
	if strings.HasPrefix(u, "//") {
		return true
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == ':':
			return i > 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return false
}

// cleanQuery percent-encodes every byte that may not appear in a URL query
// (RFC 3986 3.4), so whatever the caller passes can never break out of a
// playlist line, a quoted attribute or a VTT cue: no CR/LF, '"', '#' or
// spaces survive. Already-encoded input ("%2B") is left as is.
func cleanQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if queryByteOK(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func queryByteOK(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0
}
