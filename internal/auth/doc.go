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
// optionally with "ip" (the only client address allowed to use the token) and
// "px" (a path prefix granted instead of one video, in which case "v" is ""),
// both parts use unpadded URL-safe base64, and the signature covers the ASCII
// bytes of the encoded payload (as in JWS). Public keys are published as a JWK
// set (OKP/Ed25519) by Keys.PublicJWKS.
//
// Keys rotate without breaking links already handed out: RotateKey adds a
// signing key to the key directory, the newest key signs, and every older key
// keeps verifying until RemoveKey deletes it, which invalidates its tokens.
// Both take effect when the keys are next loaded: a KeyRing holds a server's
// current keys and reloads them when the key directory changes (KeyRing.Watch)
// or when asked (KeyRing.Reload, on SIGHUP), without a restart.
//
// The cloudfront subpackage issues and verifies CloudFront signed URLs and
// cookies for deployments that put a CloudFront distribution in front of the
// processed media.
package auth
