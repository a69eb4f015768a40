package main

import (
	"net/url"

	"github.com/kinema/kinema/internal/config"
)

// mediaOrigins are the origins besides the UI's own that its pages load
// media from, for the UI's Content-Security-Policy: the public URL (which
// may name another host than the one the UI was opened on) and a
// CloudFront distribution.
func mediaOrigins(cfg config.Config) []string {
	var out []string
	if u, err := url.Parse(cfg.PublicURL); err == nil && cfg.PublicURL != "" && u.Host != "" {
		out = append(out, u.Scheme+"://"+u.Host)
	}
	if cfg.CloudFrontDomain != "" {
		out = append(out, "https://"+cfg.CloudFrontDomain)
	}
	return out
}
