package delivery

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/kinema/kinema/internal/auth"
)

// KeysPath is where KeysHandler is meant to be mounted.
const KeysPath = "/.well-known/kinema-keys.json"

// keysMaxAge lets edges cache the key set briefly: a removed key stays
// trusted by an edge for at most this long after the server drops it. A
// verifier that meets an unknown kid should refetch at once rather than
// wait: right after a rotation the newest key signs before cached sets know
// it.
const keysMaxAge = "public, max-age=60"

// KeySet is the public side of a key set: *auth.Keys, or *auth.KeyRing so
// the published document follows the ring's reloads.
type KeySet interface {
	PublicJWKS() auth.JWKS
}

// jwksDoc is an encoded key set and the key generation it was made for.
type jwksDoc struct {
	gen  uint64
	body []byte
	etag string
}

// KeysHandler serves keys' public verification keys as a JWK set, so an
// edge (CDN worker, proxy) can check play tokens without holding a secret.
// The document is encoded once per key generation: once for fixed keys, and
// again after each reload of an *auth.KeyRing, which it then serves from the
// next request on.
func KeysHandler(keys KeySet) http.Handler {
	gen := func() uint64 { return 0 }
	if g, ok := keys.(generational); ok {
		gen = g.Generation
	}
	var cur atomic.Pointer[jwksDoc]
	current := func() *jwksDoc {
		// The generation is read first, so a document is never filed under
		// a newer generation than its keys; at worst it is encoded twice.
		g := gen()
		if d := cur.Load(); d != nil && d.gen == g {
			return d
		}
		d := encodeJWKS(keys.PublicJWKS(), g)
		cur.Store(d)
		return d
	}
	current() // fail at start, not on the first request
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Access-Control-Allow-Origin", "*") // public data
		hdr.Set("X-Content-Type-Options", "nosniff")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			hdr.Set("Allow", "GET, HEAD")
			fail(w, http.StatusMethodNotAllowed)
			return
		}
		d := current()
		hdr.Set("Content-Type", "application/jwk-set+json")
		hdr.Set("Cache-Control", keysMaxAge)
		hdr.Set("ETag", d.etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(d.body))
	})
}

func encodeJWKS(set auth.JWKS, gen uint64) *jwksDoc {
	body, err := json.Marshal(set)
	if err != nil {
		// A JWKS is strings only; failing to encode it is a programming error.
		panic("delivery: encode jwks: " + err.Error())
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	return &jwksDoc{gen: gen, body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}
