// Package queue runs kinema's durable jobs on River, on SQLite or PostgreSQL.
// Jobs and catalog rows share one database, so a job can update the catalog,
// enqueue the next steps and mark itself completed in a single transaction.
package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/kinema/kinema/internal/catalog"
)

// QueueEncode holds the CPU-heavy video encodes. Short jobs (probe, audio,
// poster, package) use River's default queue, so they run beside an encode
// instead of waiting behind it.
const QueueEncode = "encode"

// QueuePreview holds the just-in-time encodes of one segment a viewer
// waits for (pipeline's preview jobs): seconds of work each, in slots of
// their own, so that a whole chunk encoding in QueueUrgent for an older
// request never delays them. A worker runs several, the newest first (it
// stops the others), so an older request never delays a newer one.
const QueuePreview = "preview"

// QueueWebhooks holds webhook deliveries, so a slow or dead receiver never
// delays a pipeline job. They are network-bound: more run at once.
const QueueWebhooks = "webhooks"

// Config tunes the queue.
type Config struct {
	// Concurrency is how many jobs of each queue this process runs at once;
	// 0 means the process only inserts jobs (an API-only node).
	Concurrency int
	// JobTimeout bounds one attempt of a job.
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is considered
	// abandoned by a dead worker and handed to another one.
	RescueAfter time.Duration
	// PollInterval is how often idle workers look for new jobs when the
	// database cannot notify them (SQLite).
	PollInterval time.Duration
	// LeaseTTL is how long a worker may go without a heartbeat before its
	// running jobs are handed to another worker (DefaultLeaseTTL when 0).
	LeaseTTL time.Duration
	// ID names this process in the jobs it takes (River's attempted_by) and
	// in its heartbeats, so it must be unique among running processes.
	ID     string
	Logger *slog.Logger
	// Middleware wraps every job's Work call (metrics).
	Middleware []rivertype.Middleware
}

// Tx is one database transaction shared by the catalog and the queue.
type Tx struct {
	// Catalog runs its queries inside the transaction.
	Catalog  *catalog.Catalog
	insert   func(ctx context.Context, params []river.InsertManyParams) error
	complete func(ctx context.Context, job *rivertype.JobRow) error
}

// Insert enqueues jobs; they exist only if the transaction commits.
func (t *Tx) Insert(ctx context.Context, params ...river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	return t.insert(ctx, params)
}

// Complete marks the running job completed as part of the transaction, so
// its effects and its completion are committed together. ctx must be the
// job's work context. It fails with ErrLeaseLost, and the transaction must
// then be rolled back, when this attempt was handed to another worker.
func (t *Tx) Complete(ctx context.Context, job *rivertype.JobRow) error {
	if err := CheckLease(ctx); err != nil {
		return err
	}
	return t.complete(ctx, job)
}

// Queue is a River client behind a driver-neutral API.
type Queue struct {
	inTx       func(ctx context.Context, fn func(tx *Tx) error) error
	start      func(ctx context.Context) error
	stop       func(ctx context.Context) error
	stopCancel func(ctx context.Context) error
	list       func(ctx context.Context, params *river.JobListParams) ([]*rivertype.JobRow, error)
	stats      func(ctx context.Context) ([]Stat, error)
	prioritize func(ctx context.Context, kind string, match, note map[string]any) (int64, error)
	overview   func(ctx context.Context) (Overview, error)
	get        func(ctx context.Context, id int64) (*rivertype.JobRow, error)
	retry      func(ctx context.Context, id int64) (*rivertype.JobRow, error)
	working    bool
	leases     *keeper
	// wake makes this process fetch jobs of the queues now (wake.go); a
	// no-op where the database notifies.
	wake func(ctx context.Context, queues ...string)
}

// InTx runs fn in a transaction and commits when it returns nil.
func (q *Queue) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return q.inTx(ctx, fn)
}

// Start sends this worker's first heartbeat, then begins working jobs; it
// does nothing on an insert-only queue.
func (q *Queue) Start(ctx context.Context) error {
	if !q.working {
		return nil
	}
	if err := q.leases.start(ctx); err != nil {
		return fmt.Errorf("worker heartbeat: %w", err)
	}
	return q.start(ctx)
}

// Stop cancels running jobs at once, so they go back to the queue for
// another worker (or the next start) instead of holding a shutdown up; ctx
// bounds how long they may take to return. The worker is then marked gone.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.working {
		return nil
	}
	released := q.leases.heldIDs()
	err := q.stopCancel(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Jobs that ignore cancellation: retiring the worker below lets
		// another one take them at once.
		err = nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return errors.Join(err, q.leases.stopAndRetire(rctx, released))
}

// anyArgs lets Complete use River's typed JobCompleteTx for any job kind.
type anyArgs map[string]any

func (anyArgs) Kind() string { return "" }

// riverConfig maps Config to River's.
func riverConfig(cfg Config, workers *river.Workers, pollOnly bool) *river.Config {
	poll := cfg.PollInterval
	if poll <= 0 {
		poll = time.Second
	}
	rc := &river.Config{
		ID:                   cfg.ID,
		Logger:               cfg.Logger,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    poll,
		FetchCooldown:        min(poll, 100*time.Millisecond),
		PollOnly:             pollOnly,
		Middleware:           cfg.Middleware,
	}
	if pollOnly {
		// A wake-up (wake.go) within the cooldown after a poll's fetch
		// waits for the cooldown's end: keep it short. Only wake-ups fetch
		// more often than the polls.
		rc.FetchCooldown = min(poll, 10*time.Millisecond)
	}
	if cfg.Concurrency > 0 {
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: cfg.Concurrency},
			QueueEncode:        {MaxWorkers: cfg.Concurrency},
			QueueUrgent:        {MaxWorkers: cfg.Concurrency},
			QueuePreview:       {MaxWorkers: 4 * cfg.Concurrency}, // the newest stops the others
			QueueWebhooks:      {MaxWorkers: 4 * cfg.Concurrency},
		}
	}
	return rc
}
