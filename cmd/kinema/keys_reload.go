package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kinema/kinema/internal/auth"
)

// keysPollEnv sets how often `kinema serve` checks its key directory, so
// `kinema keys rotate` and `kinema keys remove` apply without a restart.
const keysPollEnv = "KINEMA_KEYS_POLL"

// keysPollFromEnv turns KINEMA_KEYS_POLL into a Main.KeysPoll: unset means
// the default, "0" turns polling off (SIGHUP still reloads).
func keysPollFromEnv(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q: want a duration such as 5s, or 0 to turn polling off", keysPollEnv, v)
	}
	if d == 0 {
		return -1, nil
	}
	return d, nil
}

// startKeyRing loads the signing keys and, unless polling is off, watches
// the key directory until Close.
func (m *Main) startKeyRing(ctx context.Context) (*auth.KeyRing, error) {
	ring, err := auth.NewKeyRing(m.Config.KeysDir(), m.Log.With("component", "keys"))
	if err != nil {
		return nil, err
	}
	m.keys = ring
	poll := m.KeysPoll
	if poll == 0 {
		poll = auth.DefaultKeyPoll
	}
	if poll > 0 {
		wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		m.stopKeys = stop
		go ring.Watch(wctx, poll)
	}
	m.Log.Info("signing keys loaded", "signing", ring.KeyID(), "verify", ring.Current().KeyIDs(),
		"poll", max(poll, 0).String())
	return ring, nil
}

// reloadKeysOnSIGHUP makes SIGHUP reload the signing keys at once, for an
// operator who cannot wait for the next poll or turned polling off. The
// handler stays registered after ctx ends, so a late SIGHUP cannot kill a
// server that is shutting down.
func (m *Main) reloadKeysOnSIGHUP(ctx context.Context) {
	if m.keys == nil { // a worker signs nothing
		return
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
				if err := m.keys.Reload(); err != nil {
					m.Log.Error("SIGHUP: signing keys not reloaded; keeping the current keys", "err", err)
				}
			}
		}
	}()
}
