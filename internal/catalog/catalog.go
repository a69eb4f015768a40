package catalog

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kinema/kinema/internal/media"
)

// Catalog reads and writes metadata on SQLite (database/sql) or PostgreSQL
// (pgx). Queries are written once with ? placeholders. A Catalog bound to a
// transaction (WithTx, WithPgxTx) runs every query in it.
type Catalog struct {
	q        executor
	postgres bool
	now      func() time.Time
	quota    media.Quota // server defaults, see UseQuota
}

// New wraps a database/sql pool (SQLite). now is the clock; nil means time.Now.
func New(db *sql.DB, now func() time.Time) *Catalog {
	return &Catalog{q: sqlExecutor{db}, now: orNow(now)}
}

// NewPostgres wraps a pgx pool.
func NewPostgres(pool *pgxpool.Pool, now func() time.Time) *Catalog {
	return &Catalog{q: pgxExecutor{pool}, postgres: true, now: orNow(now)}
}

// WithTx returns a Catalog whose queries run in a database/sql transaction.
func (c *Catalog) WithTx(tx *sql.Tx) *Catalog {
	cp := *c
	cp.q = sqlExecutor{tx}
	return &cp
}

// WithPgxTx returns a Catalog whose queries run in a pgx transaction.
func (c *Catalog) WithPgxTx(tx pgx.Tx) *Catalog {
	cp := *c
	cp.q = pgxExecutor{tx}
	return &cp
}

func orNow(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// rows is what both drivers' result sets offer.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type executor interface {
	exec(ctx context.Context, query string, args ...any) (int64, error)
	query(ctx context.Context, query string, args ...any) (rows, error)
}

type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

type sqlExecutor struct{ q sqlQuerier }

func (e sqlExecutor) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := e.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (e sqlExecutor) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := e.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

type pgxQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

type pgxExecutor struct{ q pgxQuerier }

func (e pgxExecutor) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := e.q.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

func (e pgxExecutor) query(ctx context.Context, query string, args ...any) (rows, error) {
	return e.q.Query(ctx, query, args...)
}

// rebind turns ? placeholders into $1, $2 ... for PostgreSQL. Our queries
// never contain a literal question mark.
func (c *Catalog) rebind(query string) string {
	if !c.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (c *Catalog) exec(ctx context.Context, query string, args ...any) (int64, error) {
	return c.q.exec(ctx, c.rebind(query), args...)
}

// queryRow scans the first row into dest, or returns sql.ErrNoRows.
func (c *Catalog) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	r, err := c.q.query(ctx, c.rebind(query), args...)
	if err != nil {
		return err
	}
	defer r.Close()
	if !r.Next() {
		if err := r.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.Scan(dest...); err != nil {
		return err
	}
	r.Close()
	return r.Err()
}

func (c *Catalog) millis() int64 { return c.now().UnixMilli() }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func fromMillis(ms sql.NullInt64) *time.Time {
	if !ms.Valid {
		return nil
	}
	t := time.UnixMilli(ms.Int64).UTC()
	return &t
}

// isUniqueViolation reports a duplicate key on either database.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}
