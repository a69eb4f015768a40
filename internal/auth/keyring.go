package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultKeyPoll is how often a server checks its key directory for changes
// unless told otherwise: `kinema keys rotate` and `kinema keys remove` take
// effect within this time.
const DefaultKeyPoll = 5 * time.Second

// KeyRing holds the current Keys of a key directory and swaps in a fresh set
// when the directory changes, so a rotation or removal takes effect in a
// running server. Everything that signs or verifies holds the ring rather
// than a *Keys: reading the current set is one atomic load, and a reload
// never blocks a request.
//
// The generation starts at 1 and grows by one each time a reload changes
// the key set, so a cache of verified tokens can tell that its entries were
// checked against keys that may no longer be valid.
type KeyRing struct {
	dir string
	log *slog.Logger

	state atomic.Pointer[ringState]

	// mu serialises reloads (the Watch loop and SIGHUP) and guards seen,
	// the directory fingerprint at the last reload attempt.
	mu   sync.Mutex
	seen string
}

// ringState pairs a key set with its generation so readers see both from
// one load.
type ringState struct {
	keys *Keys
	gen  uint64
}

// NewKeyRing loads the keys in dir as a server does at start, generating a
// signing key when there is none (LoadOrCreateKeys). A nil logger discards.
func NewKeyRing(dir string, log *slog.Logger) (*KeyRing, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Fingerprint first: a change made while loading then still differs
	// from what Watch remembers, and is picked up on its first poll.
	seen, _ := fingerprint(dir)
	keys, err := LoadOrCreateKeys(dir)
	if err != nil {
		return nil, err
	}
	r := &KeyRing{dir: dir, log: log, seen: seen}
	r.state.Store(&ringState{keys: keys, gen: 1})
	return r, nil
}

// Current returns the key set in use now. Keys never change, so a caller
// that signs or verifies several times with one result sees one set.
func (r *KeyRing) Current() *Keys { return r.state.Load().keys }

// Generation returns the number of the current key set; it only grows.
func (r *KeyRing) Generation() uint64 { return r.state.Load().gen }

// KeyID returns the id of the current signing key.
func (r *KeyRing) KeyID() string { return r.Current().KeyID() }

// Sign signs c with the current signing key (see Keys.Sign).
func (r *KeyRing) Sign(c Claims) (string, error) { return r.Current().Sign(c) }

// Verify checks token against the current verification keys (see
// Keys.Verify).
func (r *KeyRing) Verify(token, purpose string, now time.Time) (Claims, error) {
	return r.Current().Verify(token, purpose, now)
}

// PublicJWKS returns the current verification keys (see Keys.PublicJWKS).
func (r *KeyRing) PublicJWKS() JWKS { return r.Current().PublicJWKS() }

// Reload reads the key directory again, the way NewKeyRing did but without
// ever creating a key. A directory that fails to load or holds no signing
// key leaves the current keys in place and returns the error (wrapping
// ErrNoKeys for the latter): a half-finished edit must not stop every link
// from playing.
func (r *KeyRing) Reload() error {
	seen, _ := fingerprint(r.dir)
	r.mu.Lock()
	defer r.mu.Unlock()
	changed, err := r.reloadLocked(seen)
	if err == nil && !changed {
		r.log.Info("signing keys unchanged", "signing", r.KeyID(), "generation", r.Generation())
	}
	return err
}

// Watch checks the key directory every interval and reloads when its key
// files change, until ctx is done. A failed reload is logged, not retried:
// the current keys stay and the next change to the directory is tried
// again, so a broken file is reported once rather than on every poll.
func (r *KeyRing) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.poll()
	}
}

// poll reloads if the directory's fingerprint differs from the last one
// seen.
func (r *KeyRing) poll() {
	seen, err := fingerprint(r.dir)
	if err != nil {
		// Remember the failure itself, so it is logged once per kind.
		seen = "!" + err.Error()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if seen == r.seen {
		return
	}
	if err != nil {
		r.seen = seen
		r.log.Error("watch signing keys; keeping the current keys", "err", err, "signing", r.KeyID())
		return
	}
	if _, err := r.reloadLocked(seen); err != nil {
		r.log.Error("signing keys not reloaded; keeping the current keys", "err", err, "signing", r.KeyID())
	}
}

// reloadLocked loads the directory and, if the key set differs, makes it
// current under the next generation. r.mu must be held.
func (r *KeyRing) reloadLocked(seen string) (changed bool, err error) {
	r.seen = seen
	keys, err := LoadKeys(r.dir)
	if err != nil {
		return false, fmt.Errorf("reload signing keys: %w", err)
	}
	old := r.state.Load()
	if sameKeys(old.keys, keys) {
		return false, nil
	}
	next := &ringState{keys: keys, gen: old.gen + 1}
	r.state.Store(next)
	// Ids only: they are public and derived from public keys.
	r.log.Info("signing keys reloaded", "signing", keys.KeyID(), "verify", keys.KeyIDs(),
		"previous_signing", old.keys.KeyID(), "generation", next.gen)
	return true, nil
}

// sameKeys reports whether a and b sign with the same key and accept the
// same keys. Ids are derived from the public keys, so equal ids mean equal
// keys.
func sameKeys(a, b *Keys) bool {
	if a.kid != b.kid || len(a.pubs) != len(b.pubs) {
		return false
	}
	for kid := range a.pubs {
		if _, ok := b.pubs[kid]; !ok {
			return false
		}
	}
	return true
}

// fingerprint hashes the name, modification time and contents of every key
// file in dir. The contents catch a file rewritten within one timestamp
// tick; the times matter because the newest key signs. Key files are a few
// hundred bytes, so reading them every few seconds costs nothing.
func fingerprint(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("auth: key dir: %w", err)
	}
	h := sha256.New()
	for _, e := range entries { // ReadDir sorts by name
		name := e.Name()
		if !strings.HasPrefix(name, keyPrefix) {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since ReadDir: the next poll sees the result
		}
		if err != nil {
			return "", fmt.Errorf("auth: key dir: %w", err)
		}
		fmt.Fprintf(h, "%q %d %v\n", name, info.ModTime().UnixNano(), info.Mode())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("auth: key dir: %w", err)
			}
			sum := sha256.Sum256(data)
			h.Write(sum[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
