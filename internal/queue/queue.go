// Package queue runs kinema's durable jobs on River. Jobs and catalog rows
// share one database, so a job can finish, update the catalog and enqueue the
// next step in a single transaction.
package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// QueueEncode holds the CPU-heavy video encodes. Short jobs (probe, audio,
// poster, package) use River's default queue, so they run beside an encode
// instead of waiting behind it.
const QueueEncode = "encode"

// Client is the River client type used across kinema: every driver we use
// works on database/sql, so transactions are *sql.Tx everywhere.
type Client = river.Client[*sql.Tx]

// Config tunes the queue.
type Config struct {
	// Concurrency is how many jobs of each queue this process runs at once;
	// 0 means the process only inserts jobs (an API-only node).
	Concurrency int
	// JobTimeout bounds one attempt of a job.
	JobTimeout time.Duration
	// RescueAfter is how long a running job may go without finishing before it
	// is considered abandoned by a dead worker and retried elsewhere.
	RescueAfter time.Duration
	// PollInterval is how often idle workers look for new jobs.
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Migrate creates or upgrades River's tables in db (SQLite).
func Migrate(ctx context.Context, db *sql.DB) error {
	m, err := rivermigrate.New(riversqlite.New(db), nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate queue: %w", err)
	}
	return nil
}

// New builds a River client on db with the given workers.
func New(db *sql.DB, workers *river.Workers, cfg Config) (*Client, error) {
	rc := &river.Config{
		Logger:               cfg.Logger,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, 100*time.Millisecond),
		// SQLite has no LISTEN/NOTIFY; workers poll.
		PollOnly: true,
	}
	if cfg.Concurrency > 0 {
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: cfg.Concurrency},
			QueueEncode:        {MaxWorkers: cfg.Concurrency},
		}
	}
	client, err := river.NewClient(riversqlite.New(db), rc)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	return client, nil
}

// Stop lets running jobs finish until ctx is done, then cancels them; a
// cancelled job goes back to the queue for the next start.
func Stop(ctx context.Context, c *Client) error {
	err := c.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		hard, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return c.StopAndCancel(hard)
	}
	return err
}
