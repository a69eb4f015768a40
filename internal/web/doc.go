// Package web serves kinema's single-page UI. The built assets (ui/ compiled by
// `make ui` into dist/) are embedded into the binary so a release is one file;
// building with the `noui` tag leaves them out so Go-only work needs no Node.
//
// Hashed files under /assets/ are immutable and cached for a year, while
// index.html is always revalidated so a deploy is picked up on the next load.
// Any other path that is not an API path gets index.html, because the client
// router owns it (for example /watch/{id}).
package web
