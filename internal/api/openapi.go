package api

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"
)

// openapiJSON documents the public HTTP API. It is written by hand and kept
// honest by api_test.go, which validates real responses of the real router
// against it.
//
//go:embed openapi.json
var openapiJSON []byte

// OpenAPIPath is where OpenAPIHandler is meant to be mounted.
const OpenAPIPath = "/api/v1/openapi.json"

// OpenAPIHandler serves the OpenAPI 3.0 document of the API. It needs no API
// key: the document holds nothing secret, and tools fetch it before they
// have one.
func OpenAPIHandler() http.Handler {
	sum := sha256.Sum256(openapiJSON)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		// Documentation viewers often run on another origin.
		h.Set("Access-Control-Allow-Origin", "*")
		// Revalidate every time (cheap with the ETag) so an upgrade shows at once.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(openapiJSON))
	})
}
