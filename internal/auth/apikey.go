package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// APIKeyPrefix starts every API key, so leaked keys are easy to grep for and
// secret scanners can recognise them.
const APIKeyPrefix = "kin_"

// NewAPIKey returns a fresh API key: "kin_" followed by 32 random bytes in
// base64url. Show it once; store only HashAPIKey of it.
func NewAPIKey() string {
	b := make([]byte, 32)
	// crypto/rand.Read never fails on supported platforms (it crashes the
	// program instead), so there is no error to return.
	_, _ = rand.Read(b)
	return APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashAPIKey returns the hex SHA-256 of key. A fast hash is enough because
// keys carry 256 bits of entropy; there is nothing to brute-force.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// ConstantTimeEqual reports whether a and b are equal without leaking, through
// timing, how long their common prefix is. Their lengths may still leak.
func ConstantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
