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
