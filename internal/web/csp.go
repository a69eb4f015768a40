package web

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
)

// EmbedPath is the player page other sites put in an iframe.
const EmbedPath = "/embed"

// contentSecurityPolicy is the policy of the app's pages: scripts and
// styles only from our own files (an injected <script> or inline handler
// does not run), media and their manifests from us or the given origins,
// blob: for the MediaSource buffers (and workers) of hls.js, no plugins,
// no <base> rewriting, forms only to us, and no framing by other sites
// (clickjacking). React's style={...} goes through the CSSOM, which
// style-src does not restrict, so no 'unsafe-inline' is needed.
func contentSecurityPolicy(mediaOrigins []string) string {
	media := ""
	for _, o := range mediaOrigins {
		if o = strings.TrimSuffix(o, "/"); o != "" {
			media += " " + o
		}
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data: blob:" + media,
		// data: for the empty caption tracks hls.js creates
		// (<track src="data:,WEBVTT">, hls.js#2198); media, not script.
		"media-src 'self' blob: data:" + media,
		"connect-src 'self'" + media,
		"worker-src 'self' blob:",
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// AncestorsFunc returns the CSP frame-ancestors sources of the embed page
// of video id (e.g. "*", "'self'", host names).
type AncestorsFunc func(r *http.Request, id string) []string

// WithEmbedAncestors returns the UI handler h (from Handler or NewHandler)
// answering /embed/{id} with the frame-ancestors that f gives for the
// video, so each video's list of sites that may embed it is enforced by
// the browser. Without it any site may frame the embed page.
func WithEmbedAncestors(h http.Handler, f AncestorsFunc) http.Handler {
	s, ok := h.(*spa)
	if !ok {
		return h
	}
	c := *s
	c.ancestors = f
	return &c
}

// policyFor is the policy of the page at r's path. The embed page exists
// to be framed by other sites; its playback is still gated by signed URLs.
func (h *spa) policyFor(r *http.Request) string {
	path := r.URL.Path
	if h.index == nil {
		return notBuiltPolicy()
	}
	if path == EmbedPath || strings.HasPrefix(path, EmbedPath+"/") {
		ancestors := "*"
		if id := strings.Trim(strings.TrimPrefix(path, EmbedPath), "/"); h.ancestors != nil && id != "" {
			ancestors = strings.Join(h.ancestors(r, id), " ")
		}
		return strings.Replace(h.csp, "frame-ancestors 'none'", "frame-ancestors "+ancestors, 1)
	}
	return h.csp
}

// notBuiltPolicy allows the placeholder page's one inline style by hash.
func notBuiltPolicy() string {
	var b strings.Builder
	_ = notBuiltPage.Execute(&b, nil)
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(b.String())[1]
	sum := sha256.Sum256([]byte(style))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; frame-ancestors 'none'"
}
