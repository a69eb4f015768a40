package queue

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/kinema/kinema/internal/catalog"
)

// NewSQLite runs River on the SQLite database that also holds the catalog.
// SQLite cannot notify, so workers poll.
func NewSQLite(db *sql.DB, cat *catalog.Catalog, workers *river.Workers, cfg Config) (*Queue, error) {
	q, err := build(riversqlite.New(db), workers, cfg, true,
		func(ctx context.Context) (*sql.Tx, error) { return db.BeginTx(ctx, nil) },
		func(_ context.Context, tx *sql.Tx) error { return tx.Commit() },
		func(_ context.Context, tx *sql.Tx) error { return tx.Rollback() },
		cat.WithTx, sqliteLeases{db}, false, sqliteDiscard)
	if err != nil {
		return nil, err
	}
	prioritize := sqlitePrioritize(func(ctx context.Context, sql string, args ...any) (int64, error) {
		res, err := db.ExecContext(ctx, sql, args...)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	})
	q.prioritize = func(ctx context.Context, kind string, match, note map[string]any) (int64, error) {
		n, err := prioritize(ctx, kind, match, note)
		if err == nil && n > 0 {
			q.wake(ctx, QueueUrgent)
		}
		return n, err
	}
	q.stats = func(ctx context.Context) ([]Stat, error) {
		rows, err := db.QueryContext(ctx, statsSQLite)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		return scanStats(rows)
	}
	q.overview = func(ctx context.Context) (Overview, error) {
		var o Overview
		rows, err := db.QueryContext(ctx, countsSQLite)
		if err != nil {
			return o, err
		}
		defer rows.Close()
		if o.Counts, err = scanCounts(rows); err != nil {
			return o, err
		}
		rows.Close()
		wrows, err := db.QueryContext(ctx, workersSQLite)
		if err != nil {
			return o, err
		}
		defer wrows.Close()
		o.Workers, err = scanWorkers(wrows, false, time.Now().UnixMilli(), q.leases.ttl)
		return o, err
	}
	return q, nil
}

// NewPostgres runs River on PostgreSQL through pgx; idle workers wake up on
// LISTEN/NOTIFY instead of polling.
func NewPostgres(pool *pgxpool.Pool, cat *catalog.Catalog, workers *river.Workers, cfg Config) (*Queue, error) {
	leases := pgLeases{pool: pool}
	if cfg.Concurrency > 0 {
		// Heartbeats get connections of their own, so jobs and requests
		// holding every pooled connection cannot make a live worker look
		// dead.
		hb := pool.Config().Copy()
		hb.MaxConns, hb.MinConns = 2, 0
		p, err := pgxpool.NewWithConfig(context.Background(), hb)
		if err != nil {
			return nil, fmt.Errorf("heartbeat pool: %w", err)
		}
		leases = pgLeases{pool: p, own: true}
	}
	q, err := build(riverpgxv5.New(pool), workers, cfg, false,
		func(ctx context.Context) (pgx.Tx, error) { return pool.Begin(ctx) },
		func(ctx context.Context, tx pgx.Tx) error { return tx.Commit(ctx) },
		func(ctx context.Context, tx pgx.Tx) error { return tx.Rollback(ctx) },
		cat.WithPgxTx, leases, true, pgDiscard)
	if err != nil {
		return nil, err
	}
	q.prioritize = pgPrioritize(func(ctx context.Context, sql string, args ...any) (int64, error) {
		tag, err := pool.Exec(ctx, sql, args...)
		if err != nil {
			return 0, err
		}
		return tag.RowsAffected(), nil
	})
	q.stats = func(ctx context.Context) ([]Stat, error) {
		rows, err := pool.Query(ctx, statsPostgres)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		return scanStats(rows)
	}
	q.overview = func(ctx context.Context) (Overview, error) {
		var o Overview
		rows, err := pool.Query(ctx, countsPostgres)
		if err != nil {
			return o, err
		}
		o.Counts, err = scanCounts(rows)
		rows.Close()
		if err != nil {
			return o, err
		}
		wrows, err := pool.Query(ctx, workersPostgres)
		if err != nil {
			return o, err
		}
		defer wrows.Close()
		o.Workers, err = scanWorkers(wrows, true, 0, q.leases.ttl)
		return o, err
	}
	return q, nil
}

// MigrateSQLite creates or upgrades River's tables in db.
func MigrateSQLite(ctx context.Context, db *sql.DB) error {
	return migrate(ctx, riversqlite.New(db))
}

// MigratePostgres creates or upgrades River's tables in the pool's database.
func MigratePostgres(ctx context.Context, pool *pgxpool.Pool) error {
	return migrate(ctx, riverpgxv5.New(pool))
}

func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate queue: %w", err)
	}
	return nil
}

// build wires one River client, its transaction type and its lease SQL
// into a Queue.
func build[TTx any](driver riverdriver.Driver[TTx], workers *river.Workers, cfg Config, pollOnly bool,
	begin func(context.Context) (TTx, error), commit, rollback func(context.Context, TTx) error,
	bind func(TTx) *catalog.Catalog, leases leaseDB, fence bool, discard func(context.Context, TTx, lostJob) (*discardedJob, error),
) (*Queue, error) {
	working := cfg.Concurrency > 0
	if cfg.ID == "" {
		// Heartbeats and leases go by this id: it must be this process's.
		cfg.ID = "kinema-" + rand.Text()[:8]
	}
	k := &keeper{worker: cfg.ID, ttl: cmp.Or(cfg.LeaseTTL, DefaultLeaseTTL), fence: fence, db: leases,
		log: cmp.Or(cfg.Logger, slog.Default()), jobs: map[int64]heldJob{}}
	if working {
		// First, so a job's context carries its lease into every other layer.
		cfg.Middleware = append([]rivertype.Middleware{&leaseMiddleware{k: k}}, cfg.Middleware...)
	}
	wake := func(context.Context, ...string) {}
	if pollOnly {
		d := newWakeDriver(driver)
		driver, wake = d, d.pilot.wake
	}
	client, err := river.NewClient(driver, riverConfig(cfg, workers, pollOnly))
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	k.requeue = func(ctx context.Context, j lostJob) (int64, bool, error) {
		tx, err := begin(ctx)
		if err != nil {
			return 0, false, err
		}
		defer func() { _ = rollback(ctx, tx) }() // a no-op after commit
		d, err := discard(ctx, tx, j)
		if err != nil || d == nil {
			return 0, false, err
		}
		var res []*rivertype.JobInsertResult
		if params, again := requeueParams(*d); again {
			if res, err = client.InsertManyTx(ctx, tx, []river.InsertManyParams{params}); err != nil {
				return 0, false, err
			}
		}
		if err := commit(ctx, tx); err != nil {
			return 0, false, err
		}
		var newID int64
		if len(res) > 0 {
			newID = res[0].Job.ID
			wake(ctx, jobQueues(res)...)
		}
		return newID, true, nil
	}
	return &Queue{
		working:    working,
		leases:     k,
		wake:       wake,
		start:      client.Start,
		stop:       client.Stop,
		stopCancel: client.StopAndCancel,
		get:        client.JobGet,
		retry:      client.JobRetry,
		list: func(ctx context.Context, params *river.JobListParams) ([]*rivertype.JobRow, error) {
			res, err := client.JobList(ctx, params)
			if err != nil {
				return nil, err
			}
			return res.Jobs, nil
		},
		inTx: func(ctx context.Context, fn func(*Tx) error) error {
			tx, err := begin(ctx)
			if err != nil {
				return err
			}
			var inserted []*rivertype.JobInsertResult
			t := &Tx{
				Catalog: bind(tx),
				insert: func(ctx context.Context, params []river.InsertManyParams) error {
					res, err := client.InsertManyTx(ctx, tx, params)
					inserted = append(inserted, res...)
					return err
				},
				complete: func(ctx context.Context, row *rivertype.JobRow) error {
					done, err := river.JobCompleteTx[riverdriver.Driver[TTx]](ctx, tx, &river.Job[anyArgs]{JobRow: row})
					if err != nil {
						return err
					}
					if done.State != rivertype.JobStateCompleted {
						return ErrLeaseLost // the attempt was discarded and requeued meanwhile
					}
					return nil
				},
			}
			if err := fn(t); err != nil {
				_ = rollback(ctx, tx)
				return err
			}
			if err := commit(ctx, tx); err != nil {
				return err
			}
			wake(ctx, jobQueues(inserted)...)
			return nil
		},
	}, nil
}
