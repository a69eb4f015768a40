package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Keys holds the Ed25519 key that signs new tokens and every public key that
// is still accepted when verifying them. It is immutable after construction
// and safe for concurrent use.
type Keys struct {
	kid    string
	signer ed25519.PrivateKey
	pubs   map[string]ed25519.PublicKey
}

// NewKeys returns Keys that sign with signer and verify with signer's public
// key plus any extra public keys (for example keys retired by a rotation whose
// tokens may still be in flight).
func NewKeys(signer ed25519.PrivateKey, verify ...ed25519.PublicKey) (*Keys, error) {
	if len(signer) != ed25519.PrivateKeySize {
		return nil, errors.New("auth: signing key has the wrong size")
	}
	pub := signer.Public().(ed25519.PublicKey)
	k := &Keys{kid: KeyID(pub), signer: signer, pubs: map[string]ed25519.PublicKey{}}
	k.pubs[k.kid] = pub
	for _, p := range verify {
		if len(p) != ed25519.PublicKeySize {
			return nil, errors.New("auth: verification key has the wrong size")
		}
		k.pubs[KeyID(p)] = p
	}
	return k, nil
}

// KeyID derives a key id from a public key: the first 8 bytes of its SHA-256,
// base64url. Deriving it (rather than storing it) means a kid can never point
// at the wrong key.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}

// KeyID returns the id of the signing key.
func (k *Keys) KeyID() string { return k.kid }

// KeyIDs returns the id of every key that verifies, the signing key's
// included, sorted.
func (k *Keys) KeyIDs() []string {
	ids := make([]string, 0, len(k.pubs))
	for kid := range k.pubs {
		ids = append(ids, kid)
	}
	sort.Strings(ids)
	return ids
}

// Key file naming inside the directory given to LoadOrCreateKeys.
const (
	keyPrefix  = "ed25519-"
	privSuffix = ".key" // PEM "PRIVATE KEY", PKCS#8, mode 0600
	pubSuffix  = ".pub" // PEM "PUBLIC KEY", PKIX: verify-only (retired) keys
)

// LoadOrCreateKeys loads the keys kept in dir, generating a signing key on
// first start.
//
// Every ed25519-*.key file is loaded; the most recently modified one signs and
// all of them verify. ed25519-*.pub files add verify-only keys. To rotate, drop
// a new .key file in (or delete the old one and restart, which generates a new
// one) and keep the old public key as a .pub file until its tokens expire.
// RotateKey and RemoveKey do this safely.
func LoadOrCreateKeys(dir string) (*Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: key dir: %w", err)
	}
	return loadKeys(dir, true)
}

// ErrNoKeys is returned by LoadKeys when dir holds no signing key.
var ErrNoKeys = errors.New("auth: no signing key")

// LoadKeys loads the keys in dir like LoadOrCreateKeys but never creates
// one: tools that sign for a running server (kinema sign) must use the
// server's key, and a fresh key in a mistyped directory would only yield
// links the server refuses.
func LoadKeys(dir string) (*Keys, error) {
	return loadKeys(dir, false)
}

func loadKeys(dir string, create bool) (*Keys, error) {
	entries, err := os.ReadDir(dir)
	if !create && errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoKeys, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: key dir: %w", err)
	}
	type privFile struct {
		key  ed25519.PrivateKey
		mod  time.Time
		name string
	}
	var privs []privFile
	var pubs []ed25519.PublicKey
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, keyPrefix) {
			continue
		}
		p := filepath.Join(dir, name)
		switch {
		case strings.HasSuffix(name, privSuffix):
			key, err := readPrivateKey(p)
			if err != nil {
				return nil, err
			}
			info, err := e.Info()
			if err != nil {
				return nil, fmt.Errorf("auth: %s: %w", p, err)
			}
			privs = append(privs, privFile{key, info.ModTime(), name})
		case strings.HasSuffix(name, pubSuffix):
			pub, err := readPublicKey(p)
			if err != nil {
				return nil, err
			}
			pubs = append(pubs, pub)
		}
	}
	if len(privs) == 0 {
		if !create {
			return nil, fmt.Errorf("%w in %s", ErrNoKeys, dir)
		}
		key, err := createPrivateKey(dir)
		if err != nil {
			return nil, err
		}
		return NewKeys(key, pubs...)
	}
	sort.Slice(privs, func(i, j int) bool {
		if !privs[i].mod.Equal(privs[j].mod) {
			return privs[i].mod.After(privs[j].mod)
		}
		return privs[i].name < privs[j].name
	})
	for _, p := range privs[1:] {
		pubs = append(pubs, p.key.Public().(ed25519.PublicKey))
	}
	return NewKeys(privs[0].key, pubs...)
}

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	block, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(block)
	if err != nil {
		return nil, fmt.Errorf("auth: %s: %w", path, err)
	}
	ed, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("auth: %s: not an Ed25519 key", path)
	}
	return ed, nil
}

func readPublicKey(path string) (ed25519.PublicKey, error) {
	block, err := readPEM(path, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKIXPublicKey(block)
	if err != nil {
		return nil, fmt.Errorf("auth: %s: %w", path, err)
	}
	ed, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("auth: %s: not an Ed25519 key", path)
	}
	return ed, nil
}

func readPEM(path, typ string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != typ {
		return nil, fmt.Errorf("auth: %s: no %q PEM block", path, typ)
	}
	return block.Bytes, nil
}

// createPrivateKey writes a fresh key through a temp file and a rename, so a
// crash never leaves a truncated key behind that would fail every later start.
func createPrivateKey(dir string) (ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("auth: encode key: %w", err)
	}
	final := filepath.Join(dir, keyPrefix+KeyID(pub)+privSuffix)
	tmp, err := os.CreateTemp(dir, ".tmp-key-*")
	if err != nil {
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	// CreateTemp already uses 0600; Chmod makes the intent explicit and
	// independent of that detail.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	return priv, nil
}
