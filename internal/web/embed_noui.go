//go:build noui

package web

import "io/fs"

// embedded reports no UI: the binary was built with the noui tag, so the
// handler serves the "built without UI" page instead.
func embedded() fs.FS { return nil }
