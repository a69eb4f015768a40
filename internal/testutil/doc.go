// Package testutil holds helpers shared by tests: a tiny-media generator that
// drives the real ffmpeg, and the skip-or-fail rule for tests that need it.
package testutil
