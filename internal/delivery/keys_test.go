package delivery

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/stretchr/testify/require"
)

// TestKeysHandler checks an edge can verify a play token with nothing but
// the published key set, across a rotation.
func TestKeysHandler(t *testing.T) {
	t.Parallel()
	b := setup(t)
	old := b.keys
	oldPub, err := base64.RawURLEncoding.DecodeString(old.PublicJWKS().Keys[0].X)
	require.NoError(t, err)
	// Rotated: a new signer, the old key kept for verification.
	rotated, err := auth.NewKeys(ed25519.NewKeyFromSeed(append(make([]byte, ed25519.SeedSize-1), 1)), oldPub)
	require.NoError(t, err)

	mux := http.NewServeMux()
	mux.Handle(KeysPath, KeysHandler(rotated))
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/.well-known/kinema-keys.json", nil))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "application/jwk-set+json", w.Header().Get("Content-Type"))
	require.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"))
	require.Contains(t, w.Header().Get("Cache-Control"), "public")
	etag := w.Header().Get("ETag")
	require.NotEmpty(t, etag)

	var set auth.JWKS
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &set))
	pubs := map[string]ed25519.PublicKey{}
	for _, k := range set.Keys {
		require.Equal(t, "OKP", k.KeyType)
		require.Equal(t, "Ed25519", k.Curve)
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		require.NoError(t, err)
		require.Equal(t, auth.KeyID(x), k.KeyID, "kid is derived from the key")
		pubs[k.KeyID] = x
	}
	require.Len(t, pubs, 2)
	require.Contains(t, pubs, old.KeyID())
	require.Contains(t, pubs, rotated.KeyID())
	require.NotContains(t, w.Body.String(), "\"d\"", "no private material")

	// An edge verifying from the published set alone: old links and new
	// links both check out.
	for _, k := range []*auth.Keys{old, rotated} {
		tok := b.signWith(t, k)
		var edge []ed25519.PublicKey
		for _, p := range pubs {
			edge = append(edge, p)
		}
		verifier, err := auth.NewKeys(ed25519.NewKeyFromSeed(append(make([]byte, ed25519.SeedSize-1), 9)), edge...)
		require.NoError(t, err)
		_, err = verifier.Verify(tok, auth.PurposePlay, b.now)
		require.NoError(t, err)
	}

	r := httptest.NewRequest(http.MethodGet, KeysPath, nil)
	r.Header.Set("If-None-Match", etag)
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	require.Equal(t, http.StatusNotModified, w.Code)

	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, KeysPath, nil))
	require.Equal(t, http.StatusMethodNotAllowed, w.Code)
}

// TestKeysHandlerFollowsRing checks the published set changes with the
// ring's keys, and its ETag with it.
func TestKeysHandlerFollowsRing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ring, err := auth.NewKeyRing(dir, nil)
	require.NoError(t, err)
	h := KeysHandler(ring)
	fetch := func() ([]string, string) {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, KeysPath, nil))
		require.Equal(t, http.StatusOK, w.Code)
		var set auth.JWKS
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &set))
		var ids []string
		for _, k := range set.Keys {
			ids = append(ids, k.KeyID)
		}
		return ids, w.Header().Get("ETag")
	}
	first := ring.KeyID()
	ids, etag1 := fetch()
	require.Equal(t, []string{first}, ids)

	_, err = auth.RotateKey(dir)
	require.NoError(t, err)
	ids, etag := fetch()
	require.Equal(t, []string{first}, ids, "unchanged until the ring reloads")
	require.Equal(t, etag1, etag)
	require.NoError(t, ring.Reload())
	ids, etag2 := fetch()
	require.Equal(t, ring.Current().KeyIDs(), ids)
	require.Len(t, ids, 2)
	require.NotEqual(t, etag1, etag2)

	require.NoError(t, auth.RemoveKey(dir, first))
	require.NoError(t, ring.Reload())
	ids, etag3 := fetch()
	require.Equal(t, []string{ring.KeyID()}, ids)
	require.NotEqual(t, etag2, etag3)
}

func (b *bundle) signWith(t *testing.T, k *auth.Keys) string {
	t.Helper()
	tok, err := k.Sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposePlay, ExpiresAt: b.now.Add(time.Hour)})
	require.NoError(t, err)
	return tok
}
