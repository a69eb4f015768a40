package auth

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoadOrCreateKeys(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	k1, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)

	path := filepath.Join(dir, "ed25519-"+k1.KeyID()+".key")
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temp files left behind")

	k2, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)
	require.Equal(t, k1.KeyID(), k2.KeyID(), "second start loads the same key")

	now := time.Unix(1_700_000_000, 0)
	tok, err := k1.Sign(Claims{VideoID: "v", Purpose: PurposePlay, ExpiresAt: now.Add(time.Minute)})
	require.NoError(t, err)
	_, err = k2.Verify(tok, PurposePlay, now)
	require.NoError(t, err)
}

func TestLoadOrCreateKeysRotation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)
	oldPath := filepath.Join(dir, "ed25519-"+old.KeyID()+".key")
	require.NoError(t, os.Chtimes(oldPath, time.Unix(1000, 0), time.Unix(1000, 0)))

	// Install a newer key by hand, as an operator rotating keys would.
	_, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	newKID := KeyID(priv.Public().(ed25519.PublicKey))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ed25519-"+newKID+".key"),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))

	// And a verify-only key.
	pub3, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	pubDER, err := x509.MarshalPKIXPublicKey(pub3)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ed25519-retired.pub"),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644))

	k, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)
	require.Equal(t, newKID, k.KeyID(), "newest key signs")
	var kids []string
	for _, j := range k.PublicJWKS().Keys {
		kids = append(kids, j.KeyID)
	}
	require.ElementsMatch(t, []string{newKID, old.KeyID(), KeyID(pub3)}, kids)
}

func TestLoadOrCreateKeysCorrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ed25519-x.key"), []byte("junk"), 0o600))
	_, err := LoadOrCreateKeys(dir)
	require.Error(t, err, "a corrupt key must stop startup rather than be replaced silently")
}

func TestPublicJWKS(t *testing.T) {
	t.Parallel()
	keys := testKeys(t, 7)
	data, err := json.Marshal(keys.PublicJWKS())
	require.NoError(t, err)
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(data, &set))
	require.Len(t, set.Keys, 1)
	j := set.Keys[0]
	require.Equal(t, "OKP", j["kty"])
	require.Equal(t, "Ed25519", j["crv"])
	require.Equal(t, "EdDSA", j["alg"])
	require.Equal(t, keys.KeyID(), j["kid"])
	x, err := base64.RawURLEncoding.DecodeString(j["x"])
	require.NoError(t, err)
	require.Equal(t, []byte(keys.signer.Public().(ed25519.PublicKey)), x)
}

func TestNewKeysRejectsBadSizes(t *testing.T) {
	t.Parallel()
	_, err := NewKeys(ed25519.PrivateKey{1, 2, 3})
	require.Error(t, err)
	_, err = NewKeys(testKeys(t, 1).signer, ed25519.PublicKey{1})
	require.Error(t, err)
}
