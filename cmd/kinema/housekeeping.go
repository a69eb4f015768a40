package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/upload"
)

// loginFailureIdle is how long an unlocked (email, address) pair keeps its
// failure count: a day without failures and it starts from zero again.
const loginFailureIdle = 24 * time.Hour

// housekeep runs on API nodes (tus partial files live on their local disk)
// until ctx ends: every interval it removes expired sessions, sign-in
// failure counts that are unlocked and a day old, and abandoned tus uploads.
func housekeep(ctx context.Context, cat *catalog.Catalog, uploads *upload.Service, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := cat.DeleteExpiredSessions(ctx); err != nil {
			log.Warn("delete expired sessions", "err", err)
		} else if n > 0 {
			log.Info("deleted expired sessions", "count", n)
		}
		if n, err := cat.DeleteStaleLoginFailures(ctx, loginFailureIdle); err != nil {
			log.Warn("delete stale failed logins", "err", err)
		} else if n > 0 {
			log.Info("deleted stale failed logins", "count", n)
		}
		if _, err := uploads.SweepTus(time.Now()); err != nil {
			log.Warn("sweep tus uploads", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
