package queue

import (
	"context"
	"time"
)

// Stat summarises one queue for metrics.
type Stat struct {
	Queue              string
	State              string
	Count              int
	OldestAvailableAge time.Duration // for state "available" only
}

// Queries per database: the age is computed in SQL because SQLite returns
// timestamps as text.
const (
	statsSQLite = `SELECT queue, state, COUNT(*),
		COALESCE((julianday('now') - julianday(MIN(scheduled_at))) * 86400, 0)
		FROM river_job WHERE state IN ('available', 'running', 'retryable') GROUP BY queue, state`
	statsPostgres = `SELECT queue, state::text, COUNT(*),
		COALESCE(EXTRACT(EPOCH FROM now() - MIN(scheduled_at))::float8, 0)
		FROM river_job WHERE state IN ('available', 'running', 'retryable') GROUP BY queue, state`
)

// Stats counts waiting, running and retrying jobs per queue.
func (q *Queue) Stats(ctx context.Context) ([]Stat, error) {
	return q.stats(ctx)
}

// statRows is what both drivers' result sets offer.
type statRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// scanStats reads rows of (queue, state, count, age seconds).
func scanStats(rows statRows) ([]Stat, error) {
	var out []Stat
	for rows.Next() {
		var s Stat
		var age float64
		if err := rows.Scan(&s.Queue, &s.State, &s.Count, &age); err != nil {
			return nil, err
		}
		if s.State == "available" {
			s.OldestAvailableAge = time.Duration(age * float64(time.Second))
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
