package auth

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRotateKey walks a full rotation: links signed before a rotation keep
// working after it, new links use the new key, and removing the old key id
// invalidates exactly the old links.
func TestRotateKey(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	now := time.Unix(1_700_000_000, 0)
	sign := func(k *Keys) string {
		tok, err := k.Sign(Claims{VideoID: "v1", Purpose: PurposePlay, ExpiresAt: now.Add(time.Hour)})
		require.NoError(t, err)
		return tok
	}

	k1, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)
	oldTok := sign(k1)

	// Rotate twice quickly: the newest must win even within one mtime tick.
	_, err = RotateKey(dir)
	require.NoError(t, err)
	kid3, err := RotateKey(dir)
	require.NoError(t, err)

	k2, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)
	require.Equal(t, kid3, k2.KeyID(), "the newest key signs")
	require.Len(t, k2.PublicJWKS().Keys, 3, "all keys verify and are published")
	c, err := k2.Verify(oldTok, PurposePlay, now)
	require.NoError(t, err, "links handed out before the rotation still play")
	require.Equal(t, k1.KeyID(), c.KeyID)
	newTok := sign(k2)

	require.NoError(t, RemoveKey(dir, k1.KeyID()))
	require.ErrorIs(t, RemoveKey(dir, k1.KeyID()), ErrKeyNotFound)
	k3, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)
	require.Equal(t, kid3, k3.KeyID())
	_, err = k3.Verify(oldTok, PurposePlay, now)
	require.ErrorIs(t, err, ErrTokenInvalid, "removed key id no longer verifies")
	_, err = k3.Verify(newTok, PurposePlay, now)
	require.NoError(t, err)
	for _, j := range k3.PublicJWKS().Keys {
		require.NotEqual(t, k1.KeyID(), j.KeyID, "removed key is no longer published")
	}
}

// TestRemoveKeyPub removes a verify-only .pub key, found by content rather
// than file name.
func TestRemoveKeyPub(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k := testKeys(t, 7)
	writePub(t, filepath.Join(dir, "ed25519-renamed.pub"), k)
	keys, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)
	require.Len(t, keys.PublicJWKS().Keys, 2)

	require.NoError(t, RemoveKey(dir, k.KeyID()))
	_, err = os.Stat(filepath.Join(dir, "ed25519-renamed.pub"))
	require.True(t, os.IsNotExist(err))
	keys, err = LoadOrCreateKeys(dir)
	require.NoError(t, err)
	require.Len(t, keys.PublicJWKS().Keys, 1)
	require.ErrorIs(t, RemoveKey(dir, "nope"), ErrKeyNotFound)
	require.Error(t, RemoveKey(filepath.Join(dir, "missing"), "x"))
}

// writePub stores k's public key as a verify-only PEM file.
func writePub(t *testing.T, path string, k *Keys) {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.signer.Public())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644))
}

func TestLoadKeysNeverCreates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := LoadKeys(dir)
	require.ErrorIs(t, err, ErrNoKeys)
	_, err = LoadKeys(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, ErrNoKeys)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)

	k, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)
	loaded, err := LoadKeys(dir)
	require.NoError(t, err)
	require.Equal(t, k.KeyID(), loaded.KeyID())
}

// TestRemoveLastSigningKey: the only signing key cannot be removed (a
// running server would go on signing with it); after a rotation it can.
func TestRemoveLastSigningKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)
	require.ErrorIs(t, RemoveKey(dir, k.KeyID()), ErrLastSigningKey)
	again, err := LoadOrCreateKeys(dir)
	require.NoError(t, err)
	require.Equal(t, k.KeyID(), again.KeyID(), "nothing was removed")

	_, err = RotateKey(dir)
	require.NoError(t, err)
	require.NoError(t, RemoveKey(dir, k.KeyID()))
}
