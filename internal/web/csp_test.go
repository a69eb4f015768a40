package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	h := NewHandler(builtUI(), nil, "https://cdn.example/", "")
	csp := get(t, h, http.MethodGet, "/watch/x").Header().Get("Content-Security-Policy")
	for _, want := range []string{"img-src 'self' data: blob: https://cdn.example;", "media-src 'self' blob: data: https://cdn.example;",
		"connect-src 'self' https://cdn.example;", "worker-src 'self' blob:", "frame-ancestors 'none'", "base-uri 'none'"} {
		require.Contains(t, csp, want)
	}
	require.NotContains(t, csp, "unsafe")
	require.Contains(t, get(t, h, http.MethodGet, "/embed?v=1").Header().Get("Content-Security-Policy"), "frame-ancestors *")
	require.Contains(t, get(t, h, http.MethodGet, "/embedded").Header().Get("Content-Security-Policy"), "frame-ancestors 'none'")

	// The placeholder page keeps its one inline style, by hash only.
	rec := get(t, NewHandler(nil, nil), http.MethodGet, "/")
	csp = rec.Header().Get("Content-Security-Policy")
	require.True(t, strings.HasPrefix(csp, "default-src 'none'; style-src 'sha256-"), csp)
	require.Contains(t, csp, "frame-ancestors 'none'")
	require.Contains(t, rec.Body.String(), "<style>")
}

// TestEmbedAncestors: each video's embed page may be framed by the sites
// its AncestorsFunc names; other pages still by nobody.
func TestEmbedAncestors(t *testing.T) {
	t.Parallel()
	h := WithEmbedAncestors(NewHandler(builtUI(), nil), func(_ *http.Request, id string) []string {
		if id == "open" {
			return []string{"*"}
		}
		return []string{"'self'", "blog.example.com"}
	})
	csp := func(p string) string { return get(t, h, http.MethodGet, p).Header().Get("Content-Security-Policy") }
	require.Contains(t, csp("/embed/open?autoplay=1"), "frame-ancestors *")
	require.Contains(t, csp("/embed/other"), "frame-ancestors 'self' blog.example.com")
	require.Contains(t, csp("/watch/open"), "frame-ancestors 'none'")
}
