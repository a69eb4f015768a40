package auth

import (
	"encoding/base64"
	"sort"
)

// JWK is one public key in JSON Web Key form (RFC 8037, OKP/Ed25519).
type JWK struct {
	KeyType string `json:"kty"` // always "OKP"
	Curve   string `json:"crv"` // always "Ed25519"
	X       string `json:"x"`   // raw public key, base64url
	KeyID   string `json:"kid"`
	Use     string `json:"use"` // "sig"
	Alg     string `json:"alg"` // "EdDSA"
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// PublicJWKS returns every verification key, sorted by kid so the output is
// stable. Serve it with encoding/json so an edge can verify tokens offline.
func (k *Keys) PublicJWKS() JWKS {
	set := JWKS{Keys: make([]JWK, 0, len(k.pubs))}
	for kid, pub := range k.pubs {
		set.Keys = append(set.Keys, JWK{
			KeyType: "OKP", Curve: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub),
			KeyID: kid, Use: "sig", Alg: "EdDSA",
		})
	}
	sort.Slice(set.Keys, func(i, j int) bool { return set.Keys[i].KeyID < set.Keys[j].KeyID })
	return set
}
