package delivery

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/kinema/kinema/internal/auth"
)

// KeysPath is where KeysHandler is meant to be mounted.
const KeysPath = "/.well-known/kinema-keys.json"

// keysMaxAge lets edges cache the key set briefly. A verifier that meets an
// unknown kid should refetch at once rather than wait: right after a
// rotation the newest key signs before cached sets know it.
const keysMaxAge = "public, max-age=300"

// KeysHandler serves keys' public verification keys as a JWK set, so an
// edge (CDN worker, proxy) can check play tokens without holding a secret.
// keys is immutable, so the document is encoded once.
func KeysHandler(keys *auth.Keys) http.Handler {
	body, err := json.Marshal(keys.PublicJWKS())
	if err != nil {
		// A JWKS is strings only; failing to encode it is a programming error.
		panic("delivery: encode jwks: " + err.Error())
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Access-Control-Allow-Origin", "*") // public data
		hdr.Set("X-Content-Type-Options", "nosniff")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			hdr.Set("Allow", "GET, HEAD")
			fail(w, http.StatusMethodNotAllowed)
			return
		}
		hdr.Set("Content-Type", "application/jwk-set+json")
		hdr.Set("Cache-Control", keysMaxAge)
		hdr.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}
