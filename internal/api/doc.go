// Package api is kinema's JSON HTTP API under /api/v1. It authenticates API
// keys, maps domain errors to HTTP statuses in one place (errors.go) and only
// ever hands out signed URLs.
package api
