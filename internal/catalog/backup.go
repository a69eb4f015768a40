package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pressly/goose/v3"

	"github.com/kinema/kinema/internal/media"
)

// SnapshotSQLite writes a consistent copy of the open SQLite database db to
// the new file path with VACUUM INTO: one read transaction, so the copy is
// the database as of one instant while a running server keeps writing (WAL
// readers do not block the writer). The copy holds the catalog and the job
// queue, which live in the same file.
func SnapshotSQLite(ctx context.Context, db *sql.DB, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("snapshot: %s already exists", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("snapshot sqlite: %w", err)
	}
	return nil
}

// SchemaVersion is the newest catalog migration applied to db (dialect
// "sqlite3" or "postgres"), and the newest one this binary knows.
func SchemaVersion(ctx context.Context, db *sql.DB, dialect string) (applied, known int64, err error) {
	p, err := provider(db, dialect)
	if err != nil {
		return 0, 0, err
	}
	applied, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("schema version: %w", err)
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		known = srcs[len(srcs)-1].Version
	}
	return applied, known, nil
}

func provider(db *sql.DB, dialect string) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.Dialect(dialect), db, sub, goose.WithTableName("kinema_schema_version"))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// StatusCounts counts videos by status.
func (c *Catalog) StatusCounts(ctx context.Context) (map[media.Status]int, error) {
	r, err := c.q.query(ctx, c.rebind(`SELECT status, COUNT(*) FROM videos GROUP BY status`))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := map[media.Status]int{}
	for r.Next() {
		var s string
		var n int
		if err := r.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[media.Status(s)] = n
	}
	return out, r.Err()
}

// Interrupted lists the videos whose processing had not ended (queued or
// processing) and that have a stored source to start again from.
func (c *Catalog) Interrupted(ctx context.Context) ([]string, error) {
	r, err := c.q.query(ctx, c.rebind(`SELECT id FROM videos WHERE status IN (?, ?) AND source_key <> '' ORDER BY created_at`),
		media.StatusQueued, media.StatusProcessing)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var ids []string
	for r.Next() {
		var id string
		if err := r.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, r.Err()
}

// RestartRun starts a new run of a queued or processing video from its
// stored source, as Requeue does for a failed one. Jobs of the old run find
// they are stale and do nothing. It is for a catalog restored from a backup
// taken mid-processing: the work files of the old run may be missing or
// newer than the catalog, the source is neither.
func (c *Catalog) RestartRun(ctx context.Context, id string) (int, error) {
	n, err := c.exec(ctx, `UPDATE videos SET status = ?, run = run + 1, progress = 0, error = '',
		processing_started_at = NULL, updated_at = ? WHERE id = ? AND status IN (?, ?) AND source_key <> ''`,
		media.StatusQueued, c.millis(), id, media.StatusQueued, media.StatusProcessing)
	if err != nil {
		return 0, err
	}
	return c.afterRunStart(ctx, id, n)
}
