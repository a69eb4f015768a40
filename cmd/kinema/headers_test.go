package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
)

// TestUISecurityHeaders: every UI page carries a Content-Security-Policy
// that forbids framing (but the embed page, which exists to be framed)
// and X-Content-Type-Options: nosniff; media from the public URL's host
// is allowed.
func TestUISecurityHeaders(t *testing.T) {
	t.Parallel()
	s := setupWith(t, func(c *config.Config) { c.PublicURL = "http://media.example:8443" })
	header := func(path string) http.Header {
		resp, err := http.Get(s.base + path)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		return resp.Header
	}
	for _, path := range []string{"/", "/watch/abc", "/signin", "/upload"} {
		h := header(path)
		require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), path)
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
			"media-src 'self' blob: data: http://media.example:8443", "connect-src 'self' http://media.example:8443"} {
			require.Contains(t, csp, want, path)
		}
		require.NotContains(t, csp, "unsafe-inline", path)
		require.NotContains(t, csp, "unsafe-eval", path)
	}
	embed := header("/embed").Get("Content-Security-Policy")
	require.Contains(t, embed, "frame-ancestors *")
	require.True(t, strings.Contains(embed, "script-src 'self'"), embed)
}
