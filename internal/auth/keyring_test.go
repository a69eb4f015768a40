package auth

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ringBundle is a ring over its own key directory, with its log.
type ringBundle struct {
	dir  string
	ring *KeyRing
	log  *lockedBuffer
	now  time.Time
}

func setupRing(t *testing.T) *ringBundle {
	t.Helper()
	b := &ringBundle{dir: filepath.Join(t.TempDir(), "keys"), log: &lockedBuffer{}, now: time.Unix(1_700_000_000, 0)}
	var err error
	b.ring, err = NewKeyRing(b.dir, slog.New(slog.NewTextHandler(b.log, nil)))
	require.NoError(t, err)
	return b
}

func (b *ringBundle) sign(t *testing.T) string {
	t.Helper()
	tok, err := b.ring.Sign(Claims{VideoID: "v1", Purpose: PurposePlay, ExpiresAt: b.now.Add(time.Hour)})
	require.NoError(t, err)
	return tok
}

func (b *ringBundle) verify(tok string) error {
	_, err := b.ring.Verify(tok, PurposePlay, b.now)
	return err
}

func TestKeyRingReload(t *testing.T) {
	t.Parallel()
	b := setupRing(t)
	first := b.ring.KeyID()
	require.Equal(t, uint64(1), b.ring.Generation())
	oldTok := b.sign(t)

	require.NoError(t, b.ring.Reload(), "nothing changed")
	require.Equal(t, uint64(1), b.ring.Generation(), "an unchanged set keeps its generation")

	kid, err := RotateKey(b.dir)
	require.NoError(t, err)
	require.Equal(t, first, b.ring.KeyID(), "nothing changes before a reload")
	require.NoError(t, b.ring.Reload())
	require.Equal(t, kid, b.ring.KeyID(), "the new key signs")
	require.Equal(t, uint64(2), b.ring.Generation())
	require.Equal(t, sortedIDs(first, kid), b.ring.Current().KeyIDs())
	require.Len(t, b.ring.PublicJWKS().Keys, 2)
	require.NoError(t, b.verify(oldTok), "links handed out before the rotation still play")
	newTok := b.sign(t)
	c, err := b.ring.Verify(newTok, PurposePlay, b.now)
	require.NoError(t, err)
	require.Equal(t, kid, c.KeyID)

	require.NoError(t, RemoveKey(b.dir, first))
	require.NoError(t, b.verify(oldTok), "still valid until the reload")
	require.NoError(t, b.ring.Reload())
	require.Equal(t, uint64(3), b.ring.Generation())
	require.Equal(t, []string{kid}, b.ring.Current().KeyIDs())
	require.ErrorIs(t, b.verify(oldTok), ErrTokenInvalid, "the removed key no longer verifies")
	require.NoError(t, b.verify(newTok))

	logged := b.log.String()
	require.Contains(t, logged, "signing keys reloaded")
	require.Contains(t, logged, kid)
	requireNoKeyMaterial(t, b.dir, logged)
}

func TestKeyRingReloadKeepsKeysOnFailure(t *testing.T) {
	t.Parallel()
	b := setupRing(t)
	kid := b.ring.KeyID()
	tok := b.sign(t)
	keep := func(what string) {
		t.Helper()
		require.Equal(t, kid, b.ring.KeyID(), what)
		require.Equal(t, uint64(1), b.ring.Generation(), what)
		require.NoError(t, b.verify(tok), what)
	}

	broken := filepath.Join(b.dir, "ed25519-broken.key")
	require.NoError(t, os.WriteFile(broken, []byte("-----BEGIN PRIVATE KEY-----\nnope\n"), 0o600))
	require.Error(t, b.ring.Reload())
	keep("broken key file")
	require.NoError(t, os.Remove(broken))

	// A directory with only a retired public key has nothing to sign with.
	pub := filepath.Join(b.dir, "ed25519-"+kid+".pub")
	writePub(t, pub, b.ring.Current())
	require.NoError(t, os.Remove(filepath.Join(b.dir, "ed25519-"+kid+".key")))
	require.ErrorIs(t, b.ring.Reload(), ErrNoKeys)
	keep("no signing key")

	require.NoError(t, os.RemoveAll(b.dir))
	require.ErrorIs(t, b.ring.Reload(), ErrNoKeys)
	keep("no key directory")
	_, err := os.Stat(b.dir)
	require.ErrorIs(t, err, os.ErrNotExist, "a reload never creates keys")
}

func TestKeyRingWatch(t *testing.T) {
	t.Parallel()
	b := setupRing(t)
	first := b.ring.KeyID()
	oldTok := b.sign(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { b.ring.Watch(ctx, 10*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()

	kid, err := RotateKey(b.dir)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return b.ring.KeyID() == kid }, 5*time.Second, 5*time.Millisecond)
	require.Equal(t, uint64(2), b.ring.Generation())
	require.NoError(t, b.verify(oldTok))

	// A broken file is reported once and changes nothing; fixing the
	// directory is picked up.
	broken := filepath.Join(b.dir, "ed25519-broken.key")
	require.NoError(t, os.WriteFile(broken, []byte("garbage"), 0o600))
	require.Eventually(t, func() bool { return strings.Contains(b.log.String(), "signing keys not reloaded") },
		5*time.Second, 5*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // several more polls
	require.Equal(t, 1, strings.Count(b.log.String(), "signing keys not reloaded"), "logged once, not every poll")
	require.Equal(t, uint64(2), b.ring.Generation())
	require.NoError(t, os.Remove(broken))
	require.NoError(t, RemoveKey(b.dir, first))
	require.Eventually(t, func() bool { return b.ring.Generation() == 3 }, 5*time.Second, 5*time.Millisecond)
	require.ErrorIs(t, b.verify(oldTok), ErrTokenInvalid)
	require.Equal(t, kid, b.ring.KeyID())

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after its context ended")
	}
	requireNoKeyMaterial(t, b.dir, b.log.String())
}

// TestKeyRingConcurrent signs and verifies while the keys rotate; run with
// -race it checks that readers never see a half-made set.
func TestKeyRingConcurrent(t *testing.T) {
	t.Parallel()
	b := setupRing(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				keys := b.ring.Current()
				tok, err := keys.Sign(Claims{VideoID: "v1", Purpose: PurposePlay, ExpiresAt: b.now.Add(time.Hour)})
				if err == nil {
					_, err = keys.Verify(tok, PurposePlay, b.now)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 5 {
		_, err := RotateKey(b.dir)
		require.NoError(t, err)
		require.NoError(t, b.ring.Reload())
	}
	close(stop)
	wg.Wait()
	require.Equal(t, uint64(6), b.ring.Generation())
}

func sortedIDs(ids ...string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// requireNoKeyMaterial fails if logged contains any key file's PEM body.
func requireNoKeyMaterial(t *testing.T, dir, logged string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		for _, line := range strings.Split(string(data), "\n") {
			if len(line) > 16 && !strings.HasPrefix(line, "-----") {
				require.NotContains(t, logged, line, "key material in the log")
			}
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for the Watch goroutine's logger.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
