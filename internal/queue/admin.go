package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/kinema/kinema/internal/media"
)

// KindCount is how many jobs of one kind are in one state.
type KindCount struct {
	Kind  string `json:"kind"`
	State string `json:"state"`
	Count int64  `json:"count"`
}

// Worker is one process that works jobs, as its heartbeat row shows it.
type Worker struct {
	ID string `json:"id"`
	// LastSeen is its last heartbeat; nil when it stopped cleanly.
	LastSeen *time.Time `json:"last_seen,omitempty"`
	// Alive: its last heartbeat is younger than the lease, so its jobs
	// are its own.
	Alive bool `json:"alive"`
	// Running is how many jobs it holds now.
	Running int64 `json:"running"`
}

// Overview is the queue at a glance for operators.
type Overview struct {
	// Counts are jobs per kind and state; River keeps finished jobs for a
	// while (completed a day, cancelled and discarded a week).
	Counts []KindCount `json:"counts"`
	// Workers are the processes that sent a heartbeat in the last day,
	// the most recently seen first.
	Workers []Worker `json:"workers"`
	// LeaseSeconds is how long a worker may be silent before its jobs
	// go to another one.
	LeaseSeconds float64 `json:"lease_seconds"`
}

// Overview counts jobs per kind and state and lists the workers.
func (q *Queue) Overview(ctx context.Context) (Overview, error) {
	o, err := q.overview(ctx)
	if err != nil {
		return o, fmt.Errorf("queue overview: %w", err)
	}
	o.LeaseSeconds = q.leases.ttl.Seconds()
	if o.Counts == nil {
		o.Counts = []KindCount{}
	}
	if o.Workers == nil {
		o.Workers = []Worker{}
	}
	return o, nil
}

// Job returns one job; media.ErrNotFound when there is none.
func (q *Queue) Job(ctx context.Context, id int64) (JobInfo, error) {
	row, err := q.get(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return JobInfo{}, fmt.Errorf("job %d: %w", id, media.ErrNotFound)
	}
	if err != nil {
		return JobInfo{}, fmt.Errorf("job %d: %w", id, err)
	}
	return jobInfo(row), nil
}

// RetryJob runs a job that failed (discarded, cancelled, or waiting for
// its next attempt) again now, with a fresh attempt. A job that waits,
// runs or completed is media.ErrConflict.
func (q *Queue) RetryJob(ctx context.Context, id int64) (JobInfo, error) {
	j, err := q.Job(ctx, id)
	if err != nil {
		return j, err
	}
	switch rivertype.JobState(j.State) {
	case rivertype.JobStateDiscarded, rivertype.JobStateCancelled, rivertype.JobStateRetryable:
	default:
		return j, fmt.Errorf("job %d is %s, not failed: %w", id, j.State, media.ErrConflict)
	}
	row, err := q.retry(ctx, id)
	if err != nil {
		return j, fmt.Errorf("retry job %d: %w", id, err)
	}
	return jobInfo(row), nil
}

// Queries per database. The running count goes by the last worker that
// attempted a job (River's attempted_by), as the leases do.
const (
	countsSQLite    = `SELECT kind, state, COUNT(*) FROM river_job GROUP BY kind, state ORDER BY kind, state`
	countsPostgres  = `SELECT kind, state::text, COUNT(*) FROM river_job GROUP BY kind, state ORDER BY kind, state`
	workersSQLite   = `SELECT w.id, w.seen_at, (SELECT COUNT(*) FROM river_job j WHERE j.state = 'running' AND json_extract(j.attempted_by, '$[#-1]') = w.id) FROM worker_heartbeats w ORDER BY w.seen_at DESC, w.id`
	workersPostgres = `SELECT w.id, w.seen_at, (SELECT COUNT(*) FROM river_job j WHERE j.state = 'running' AND j.attempted_by[cardinality(j.attempted_by)] = w.id), ` + pgNowMillis + ` FROM worker_heartbeats w ORDER BY w.seen_at DESC, w.id`
)

func scanCounts(rows rows) ([]KindCount, error) {
	var out []KindCount
	for rows.Next() {
		var c KindCount
		if err := rows.Scan(&c.Kind, &c.State, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// scanWorkers reads (id, seen_at ms, running[, db now ms]); nowMS is used
// when the row has no clock of its own (SQLite: Go's clock is the
// database's).
func scanWorkers(rows rows, withNow bool, nowMS int64, ttl time.Duration) ([]Worker, error) {
	var out []Worker
	for rows.Next() {
		var (
			w    Worker
			seen int64
			now  = nowMS
		)
		dest := []any{&w.ID, &seen, &w.Running}
		if withNow {
			dest = append(dest, &now)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if seen > 0 { // 0: retired when it stopped
			t := time.UnixMilli(seen).UTC()
			w.LastSeen = &t
			w.Alive = now-seen < ttl.Milliseconds()
		}
		out = append(out, w)
	}
	return out, rows.Err()
}
