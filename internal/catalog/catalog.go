package catalog

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// Catalog reads and writes metadata. The zero value is not usable; build one
// with New. A Catalog bound to a transaction (WithTx) runs every query in it.
type Catalog struct {
	db   *sqlx.DB
	q    sqlx.ExtContext
	now  func() time.Time
	bind int
}

// New wraps db. dialect is "sqlite3" or "postgres"; now is the clock (nil
// means time.Now).
func New(db *sql.DB, dialect string, now func() time.Time) *Catalog {
	if now == nil {
		now = time.Now
	}
	driver := "sqlite"
	if bindType(dialect) == sqlx.DOLLAR {
		driver = "pgx"
	}
	x := sqlx.NewDb(db, driver)
	return &Catalog{db: x, q: x, now: now, bind: bindType(dialect)}
}

// DB returns the underlying pool, for callers that open transactions.
func (c *Catalog) DB() *sql.DB { return c.db.DB }

// WithTx returns a Catalog whose queries run in tx.
func (c *Catalog) WithTx(tx *sql.Tx) *Catalog {
	cp := *c
	cp.q = &sqlx.Tx{Tx: tx, Mapper: c.db.Mapper}
	return &cp
}

// InTx runs fn in a transaction, committing when fn returns nil.
func (c *Catalog) InTx(ctx context.Context, fn func(tx *sql.Tx, c *Catalog) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx, c.WithTx(tx)); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (c *Catalog) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.q.ExecContext(ctx, sqlx.Rebind(c.bind, query), args...)
}

func (c *Catalog) get(ctx context.Context, dst any, query string, args ...any) error {
	return sqlx.GetContext(ctx, c.q, dst, sqlx.Rebind(c.bind, query), args...)
}

func (c *Catalog) selectAll(ctx context.Context, dst any, query string, args ...any) error {
	return sqlx.SelectContext(ctx, c.q, dst, sqlx.Rebind(c.bind, query), args...)
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
