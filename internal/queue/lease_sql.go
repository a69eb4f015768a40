package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgreSQL: times on the server's clock, so workers' clocks may differ.

const pgNowMillis = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`

type pgLeases struct {
	pool *pgxpool.Pool
	own  bool // the pool is the leases' own, closed with them
}

func (l pgLeases) close() {
	if l.own {
		l.pool.Close()
	}
}

func (l pgLeases) beat(ctx context.Context, worker string) error {
	_, err := l.pool.Exec(ctx, `INSERT INTO worker_heartbeats (id, seen_at) VALUES ($1, `+pgNowMillis+`)
		ON CONFLICT (id) DO UPDATE SET seen_at = EXCLUDED.seen_at`, worker)
	return err
}

func (l pgLeases) retire(ctx context.Context, worker string) error {
	_, err := l.pool.Exec(ctx, `UPDATE worker_heartbeats SET seen_at = 0 WHERE id = $1`, worker)
	return err
}

func (l pgLeases) expired(ctx context.Context, ttl time.Duration) ([]lostJob, error) {
	rows, err := l.pool.Query(ctx, `SELECT j.id, j.attempt, j.attempted_by[cardinality(j.attempted_by)]
		FROM river_job j
		JOIN worker_heartbeats w ON w.id = j.attempted_by[cardinality(j.attempted_by)]
		WHERE j.state = 'running' AND w.seen_at < `+pgNowMillis+` - $1::bigint`, ttl.Milliseconds())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanLost(rows)
}

func (l pgLeases) orphans(ctx context.Context, worker string, held []int64, age time.Duration) ([]lostJob, error) {
	if held == nil {
		held = []int64{} // nil would be NULL, and NOT (id = ANY(NULL)) matches nothing
	}
	rows, err := l.pool.Query(ctx, `SELECT id, attempt, $1::text FROM river_job
		WHERE state = 'running' AND attempted_by[cardinality(attempted_by)] = $1
		  AND attempted_at < now() - make_interval(secs => $2) AND NOT (id = ANY($3))`, worker, age.Seconds(), held)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanLost(rows)
}

func (l pgLeases) holders(ctx context.Context, ids []int64) (map[int64]holder, error) {
	rows, err := l.pool.Query(ctx, `SELECT id, attempt, coalesce(attempted_by[cardinality(attempted_by)], '')
		FROM river_job WHERE id = ANY($1) AND state IN ('running', 'completed')`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanHolders(rows)
}

func (l pgLeases) front(ctx context.Context, ids []int64) error {
	_, err := l.pool.Exec(ctx, `UPDATE river_job SET scheduled_at = created_at WHERE id = ANY($1) AND state = 'available'`, ids)
	return err
}

func (l pgLeases) prune(ctx context.Context, age time.Duration) error {
	_, err := l.pool.Exec(ctx, `DELETE FROM worker_heartbeats WHERE seen_at < `+pgNowMillis+` - $1::bigint`, age.Milliseconds())
	return err
}

// pgDiscard ends a lost attempt inside tx; nil when it is no longer running
// as that attempt (another process requeued it, or it finished).
func pgDiscard(ctx context.Context, tx pgx.Tx, j lostJob) (*discardedJob, error) {
	var d discardedJob
	err := tx.QueryRow(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = now(),
		errors = array_append(errors, $3::jsonb)
		WHERE id = $1 AND attempt = $2 AND state = 'running'
		RETURNING args, kind, max_attempts, metadata, priority, queue, tags, unique_key IS NOT NULL, scheduled_at`,
		j.ID, j.Attempt, lostError(j)).Scan(&d.Args, &d.Kind, &d.MaxAttempts, &d.Metadata, &d.Priority, &d.Queue, &d.Tags, &d.Unique, &d.ScheduledAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// SQLite is single-node: Go's clock is the database's. River stores times as
// text in this exact format, which is what makes comparisons work.

const sqliteTime = "2006-01-02 15:04:05.000"

func sqliteTimeString(t time.Time) string { return t.UTC().Round(time.Millisecond).Format(sqliteTime) }

type sqliteLeases struct{ db *sql.DB }

func (sqliteLeases) close() {}

func (l sqliteLeases) beat(ctx context.Context, worker string) error {
	_, err := l.db.ExecContext(ctx, `INSERT INTO worker_heartbeats (id, seen_at) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, worker, time.Now().UnixMilli())
	return err
}

func (l sqliteLeases) retire(ctx context.Context, worker string) error {
	_, err := l.db.ExecContext(ctx, `UPDATE worker_heartbeats SET seen_at = 0 WHERE id = ?`, worker)
	return err
}

func (l sqliteLeases) expired(ctx context.Context, ttl time.Duration) ([]lostJob, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT j.id, j.attempt, json_extract(j.attempted_by, '$[#-1]')
		FROM river_job j
		JOIN worker_heartbeats w ON w.id = json_extract(j.attempted_by, '$[#-1]')
		WHERE j.state = 'running' AND w.seen_at < ?`, time.Now().Add(-ttl).UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanLost(rows)
}

func (l sqliteLeases) orphans(ctx context.Context, worker string, held []int64, age time.Duration) ([]lostJob, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, attempt, ? FROM river_job
		WHERE state = 'running' AND json_extract(attempted_by, '$[#-1]') = ? AND attempted_at < ?
		  AND id NOT IN (SELECT value FROM json_each(?))`,
		worker, worker, sqliteTimeString(time.Now().Add(-age)), int64JSON(held))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanLost(rows)
}

func int64JSON(ids []int64) string {
	b, _ := json.Marshal(ids)
	if ids == nil {
		return "[]"
	}
	return string(b)
}

// rows is what pgx and database/sql rows have in common.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

func scanHolders(rows rows) (map[int64]holder, error) {
	out := map[int64]holder{}
	for rows.Next() {
		var id int64
		var h holder
		if err := rows.Scan(&id, &h.Attempt, &h.Worker); err != nil {
			return nil, err
		}
		out[id] = h
	}
	return out, rows.Err()
}

func scanLost(rows rows) ([]lostJob, error) {
	var out []lostJob
	for rows.Next() {
		var j lostJob
		if err := rows.Scan(&j.ID, &j.Attempt, &j.Worker); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

func (l sqliteLeases) holders(ctx context.Context, ids []int64) (map[int64]holder, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, attempt, coalesce(json_extract(attempted_by, '$[#-1]'), '')
		FROM river_job WHERE state IN ('running', 'completed') AND id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanHolders(rows)
}

func (l sqliteLeases) front(ctx context.Context, ids []int64) error {
	_, err := l.db.ExecContext(ctx, `UPDATE river_job SET scheduled_at = created_at
		WHERE state = 'available' AND id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, int64Args(ids)...)
	return err
}

func (l sqliteLeases) prune(ctx context.Context, age time.Duration) error {
	_, err := l.db.ExecContext(ctx, `DELETE FROM worker_heartbeats WHERE seen_at < ?`, time.Now().Add(-age).UnixMilli())
	return err
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

func sqliteDiscard(ctx context.Context, tx *sql.Tx, j lostJob) (*discardedJob, error) {
	var d discardedJob
	var tags string
	err := tx.QueryRowContext(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = ?,
		errors = jsonb_insert(coalesce(errors, jsonb('[]')), '$[#]', json(?))
		WHERE id = ? AND attempt = ? AND state = 'running'
		RETURNING json(args), kind, max_attempts, json(metadata), priority, queue, json(tags), unique_key IS NOT NULL, scheduled_at`,
		sqliteTimeString(time.Now()), string(lostError(j)), j.ID, j.Attempt).
		Scan(&d.Args, &d.Kind, &d.MaxAttempts, &d.Metadata, &d.Priority, &d.Queue, &tags, &d.Unique, sqliteTimeScanner{&d.ScheduledAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tags), &d.Tags); err != nil {
		return nil, err
	}
	return &d, nil
}

// sqliteTimeScanner reads a River time column, which the driver hands over
// as a time.Time or as River's text, depending on how it was written.
type sqliteTimeScanner struct{ t *time.Time }

func (s sqliteTimeScanner) Scan(src any) error {
	var err error
	switch v := src.(type) {
	case time.Time:
		*s.t = v
	case string:
		*s.t, err = time.Parse(sqliteTime, v)
	case []byte:
		*s.t, err = time.Parse(sqliteTime, string(v))
	default:
		err = fmt.Errorf("unexpected %T", src)
	}
	if err != nil {
		return fmt.Errorf("river time: %w", err)
	}
	return nil
}
