// Package auth signs and verifies kinema's short-lived access tokens and
// handles API key material.
//
// Tokens are Ed25519-signed so that a verifier only needs public keys: an edge
// cache or CDN worker can check playback URLs without holding a secret. The
// compact form is
//
//	base64url(payload) "." base64url(signature)
//
// where payload is the JSON object {"k":kid,"v":videoID,"p":purpose,"e":unixExpiry},
// both parts use unpadded URL-safe base64, and the signature covers the ASCII
// bytes of the encoded payload (as in JWS). Public keys are published as a JWK
// set (OKP/Ed25519) by Keys.PublicJWKS.
package auth
