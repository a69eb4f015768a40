package catalog

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// OpenSQLite opens (creating if needed) the SQLite database at path in WAL mode.
// SQLite allows one writer, so the pool holds a single connection: callers
// must not open a second query while holding a transaction.
func OpenSQLite(path string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// Migrate applies the catalog's embedded migrations. dialect is "sqlite3" or
// "postgres".
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	p, err := provider(db, dialect)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate catalog: %w", err)
	}
	return nil
}

// OpenPostgres connects to PostgreSQL and applies the catalog migrations,
// then runs more (the queue's) through migrateMore, all under one advisory
// lock: an API node and its workers often start at the same moment, and two
// migrations running at once collide.
func OpenPostgres(ctx context.Context, url string, migrateMore ...func(context.Context, *pgxpool.Pool) error) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgx's default, max(4, CPUs), is shared here by River (its
		// LISTEN connection, fetches, completions), job progress and API
		// requests: too few on a small machine. pool_max_conns in the URL
		// still decides.
		cfg.MaxConns = max(cfg.MaxConns, 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrateLocked(ctx, pool, migrateMore); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// migrationLock is an arbitrary constant shared by every kinema process.
const migrationLock = 0x6b696e656d61 // "kinema"

func migrateLocked(ctx context.Context, pool *pgxpool.Pool, more []func(context.Context, *pgxpool.Pool) error) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("postgres: migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock) //nolint:errcheck // released with the session anyway
	// goose speaks database/sql; this view of the pool shares its connections.
	if err := Migrate(ctx, stdlib.OpenDBFromPool(pool), "postgres"); err != nil {
		return err
	}
	for _, fn := range more {
		if err := fn(ctx, pool); err != nil {
			return err
		}
	}
	return nil
}
