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
// failure counts that are unlocked and a day old, and abandoned uploads
// (upload.Service.Sweep).
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
		if rep, err := uploads.Sweep(ctx, time.Now()); err != nil {
			log.Warn("sweep abandoned uploads", "err", err)
		} else if rep != (upload.SweepReport{}) {
			log.Info("swept abandoned uploads", "videos_deleted", rep.VideosDeleted, "tus_removed", rep.TusRemoved,
				"tus_started", rep.TusStarted, "multipart_aborted", rep.MultipartAborted)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
