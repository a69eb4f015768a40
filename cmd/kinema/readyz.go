package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kinema/kinema/internal/storage"
)

// A load balancer polls /readyz every few seconds on every node: the store
// is asked at most once per readyStoreCache (an S3 LIST costs money and
// time), and a store that hangs counts as down after readyStoreTimeout.
const (
	readyStoreTimeout = 3 * time.Second
	readyStoreCache   = 2 * time.Second
)

// readiness answers /readyz: 200 when the database and every store answer,
// 503 naming the part that does not (the reasons are logged, not shown:
// /readyz is public).
type readiness struct {
	ping   func(context.Context) error
	stores map[string]storage.Store // by the name /readyz shows
	log    *slog.Logger

	mu        sync.Mutex // held during a store check: one check at a time
	checkedAt time.Time
	storeDown map[string]bool
}

func newReadiness(ping func(context.Context) error, stores map[string]storage.Store, log *slog.Logger) *readiness {
	return &readiness{ping: ping, stores: stores, log: log}
}

func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	ready := true
	if err := rd.ping(r.Context()); err != nil {
		rd.log.Warn("readyz: database unavailable", "err", err)
		ready = false
		b.WriteString("database: unavailable\n")
	} else {
		b.WriteString("database: ok\n")
	}
	down := rd.storesDown(r.Context())
	for _, name := range sortedKeys(rd.stores) {
		state := "ok"
		if down[name] {
			ready, state = false, "unavailable"
		}
		fmt.Fprintf(&b, "%s: %s\n", name, state)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_, _ = w.Write([]byte(b.String()))
}

// storesDown lists each store once per readyStoreCache with a short
// timeout; requests in between get the last answer.
func (rd *readiness) storesDown(ctx context.Context) map[string]bool {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if rd.storeDown != nil && time.Since(rd.checkedAt) < readyStoreCache {
		return rd.storeDown
	}
	down := map[string]bool{}
	for name, st := range rd.stores {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyStoreTimeout)
		_, err := st.List(cctx, "readyz/") // cheap: an empty prefix
		cancel()
		if err != nil {
			rd.log.Warn("readyz: store unavailable", "store", name, "err", err)
			down[name] = true
		}
	}
	rd.storeDown, rd.checkedAt = down, time.Now()
	return down
}

func sortedKeys(m map[string]storage.Store) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
