package testutil

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TokenKeyID returns the signing key id ("k") inside the token query
// parameter of a kinema signed URL, failing t if there is none.
func TokenKeyID(t testing.TB, signedURL string) string {
	t.Helper()
	u, err := url.Parse(signedURL)
	if err != nil {
		t.Fatalf("parse %q: %v", signedURL, err)
	}
	payload, _, ok := strings.Cut(u.Query().Get("token"), ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	var c struct {
		K string `json:"k"`
	}
	if !ok || err != nil || json.Unmarshal(raw, &c) != nil || c.K == "" {
		t.Fatalf("no signed token with a key id in %q", signedURL)
	}
	return c.K
}
