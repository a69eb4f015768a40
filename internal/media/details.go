package media

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a video's details.
const (
	MaxDescription  = 5000
	MaxTags         = 30
	MaxTagLen       = 40
	MaxEmbedDomains = 20
)

// CleanTags returns tags trimmed, lower-cased and without duplicates, or an
// input error. A tag is letters, digits, spaces and "-_.+#": never a quote,
// so the catalog can match a tag inside its stored JSON list.
func CleanTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if t == "" || seen[t] {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTagLen || strings.IndexFunc(t, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" -_.+#", r)
		}) >= 0 {
			return nil, Inputf("A tag is at most %d letters, digits, spaces or -_.+#; %q is not.", MaxTagLen, t)
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, Inputf("At most %d tags.", MaxTags)
	}
	return out, nil
}

// CleanEmbedDomains returns the sites allowed to embed a video as lower-case
// host names (optionally "*." for subdomains and ":port"), or an input
// error. A full URL is reduced to its host, which is what people paste.
func CleanEmbedDomains(domains []string) ([]string, error) {
	out := make([]string, 0, len(domains))
	seen := map[string]bool{}
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if i := strings.Index(d, "://"); i >= 0 {
			d = d[i+3:]
		}
		d = strings.TrimSuffix(strings.SplitN(d, "/", 2)[0], ".")
		if d == "" || seen[d] {
			continue
		}
		if !validHostSource(d) {
			return nil, Inputf("%q is not a host name such as example.com, *.example.com or localhost:8080.", d)
		}
		seen[d] = true
		out = append(out, d)
	}
	if len(out) > MaxEmbedDomains {
		return nil, Inputf("At most %d sites may embed a video.", MaxEmbedDomains)
	}
	return out, nil
}

// validHostSource accepts what CSP frame-ancestors takes as a host-source
// without a scheme: [*.]label(.label)*[:port].
func validHostSource(d string) bool {
	host, port, hasPort := strings.Cut(d, ":")
	if hasPort {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	host = strings.TrimPrefix(host, "*.")
	if host == "" || len(host) > 253 {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") ||
			strings.Trim(label, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}
