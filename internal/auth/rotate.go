package auth

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ErrKeyNotFound is returned by RemoveKey when no key file in the directory
// holds the given key id.
var ErrKeyNotFound = errors.New("auth: key not found")

// RotateKey adds a new signing key to dir and returns its id. Once the keys
// are reloaded (a running server's KeyRing notices within its poll
// interval) the new key signs every new token while the older .key and .pub
// files keep verifying, so links already handed out stay valid until they
// expire. Retire an old key with RemoveKey once its longest-lived tokens
// have expired.
func RotateKey(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("auth: key dir: %w", err)
	}
	newest, err := newestKeyMod(dir)
	if err != nil {
		return "", err
	}
	priv, err := createPrivateKey(dir)
	if err != nil {
		return "", err
	}
	kid := KeyID(priv.Public().(ed25519.PublicKey))
	// LoadOrCreateKeys picks the signer by modification time. Two keys made
	// within one timestamp tick would tie and fall back to name order, so
	// make the new key strictly newest.
	path := filepath.Join(dir, keyPrefix+kid+privSuffix)
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("auth: rotate: %w", err)
	}
	if !info.ModTime().After(newest) {
		t := newest.Add(time.Second)
		if err := os.Chtimes(path, t, t); err != nil {
			return "", fmt.Errorf("auth: rotate: %w", err)
		}
	}
	return kid, nil
}

// ErrLastSigningKey is returned by RemoveKey for the only signing key: a
// running server would keep signing with it (it never runs without one), so
// removing it would not revoke it. Rotate first.
var ErrLastSigningKey = errors.New("auth: that is the only signing key; run `kinema keys rotate` first")

// RemoveKey deletes every key file in dir (signing .key or verify-only .pub)
// whose key has id kid. After a reload, tokens signed with it no longer
// verify. Removing the current signing key makes the next newest .key sign;
// the last signing key cannot be removed (ErrLastSigningKey).
func RemoveKey(dir, kid string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("auth: key dir: %w", err)
	}
	var doomed []string
	otherSigners := 0
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, keyPrefix) {
			continue
		}
		// The file name normally carries the kid, but an operator may have
		// dropped a key in under any name, so the key itself is what counts.
		p := filepath.Join(dir, name)
		var pub ed25519.PublicKey
		switch {
		case strings.HasSuffix(name, privSuffix):
			priv, err := readPrivateKey(p)
			if err != nil {
				return err
			}
			pub = priv.Public().(ed25519.PublicKey)
			if KeyID(pub) != kid {
				otherSigners++
			}
		case strings.HasSuffix(name, pubSuffix):
			if pub, err = readPublicKey(p); err != nil {
				return err
			}
		default:
			continue
		}
		if KeyID(pub) == kid {
			doomed = append(doomed, p)
		}
	}
	switch {
	case len(doomed) == 0:
		return fmt.Errorf("%w: %s", ErrKeyNotFound, kid)
	case otherSigners == 0 && slices.ContainsFunc(doomed, func(p string) bool { return strings.HasSuffix(p, privSuffix) }):
		return ErrLastSigningKey
	}
	for _, p := range doomed {
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("auth: remove key: %w", err)
		}
	}
	return nil
}

// newestKeyMod returns the latest modification time among dir's signing
// keys, or the zero time when there are none.
func newestKeyMod(dir string) (time.Time, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return time.Time{}, fmt.Errorf("auth: key dir: %w", err)
	}
	var newest time.Time
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, keyPrefix) || !strings.HasSuffix(name, privSuffix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return time.Time{}, fmt.Errorf("auth: key dir: %w", err)
		}
		if info.ModTime().After(newest) {
			newest = info.ModTime()
		}
	}
	return newest, nil
}
