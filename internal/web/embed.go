//go:build !noui

package web

import (
	"embed"
	"io/fs"
)

// dist holds the built UI. The `all:` prefix keeps the committed dist/.keep
// so the pattern matches before the UI has been built.
//
//go:embed all:dist
var dist embed.FS

// embedded returns the built UI rooted at dist/, or nil if it cannot be read.
func embedded() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil
	}
	return sub
}
