package delivery

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// splitMediaPath is the straightforward version of parseMediaPath's split,
// kept as the reference the allocation-free one must agree with.
func splitMediaPath(rest string) (id, rel string, ok bool) {
	segs := strings.Split(rest, "/")
	if len(segs) < 2 || len(segs) > 3 {
		return "", "", false
	}
	for _, s := range segs {
		if !safeSegment(s) {
			return "", "", false
		}
	}
	if strings.Contains(segs[0], ".") {
		return "", "", false
	}
	return segs[0], strings.Join(segs[1:], "/"), true
}

func FuzzParseMediaPath(f *testing.F) {
	for _, rest := range []string{
		"abc/master.m3u8", "abc/v0/seg_00000.m4s", "abc/v0/x/seg.m4s", "abc/", "abc", "a.b/x.jpg",
		"abc//x", "abc/.x", "abc/v0/", "/abc/x", "abc/v0/..", "abc%2fx/y",
	} {
		f.Add(rest)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		if len(rest) > maxPathLen {
			return
		}
		u := &url.URL{Path: PathPrefix + rest}
		if u.EscapedPath() != u.Path {
			return // refused before the split
		}
		id, rel, ok := parseMediaPath(u)
		wid, wrel, wok := splitMediaPath(rest)
		require.Equal(t, wok, ok, rest)
		require.Equal(t, wid, id, rest)
		require.Equal(t, wrel, rel, rest)
	})
}
