package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/storage/local"
)

// backends are the stateful parts chosen by --db and --store.
type backends struct {
	cat   *catalog.Catalog
	store storage.Store
	// raw holds uploaded sources: the same store as processed media unless
	// --raw-store names another bucket or directory.
	raw      storage.Store
	newQueue func(workers *river.Workers, cfg queue.Config) (*queue.Queue, error)
	ping     func(ctx context.Context) error
	close    func()
}

// openBackends opens the catalog database (SQLite file or PostgreSQL URL),
// migrates it, and opens the object store.
func openBackends(ctx context.Context, cfg config.Config) (*backends, error) {
	b := &backends{}
	if isPostgres(cfg.DB) {
		pool, err := catalog.OpenPostgres(ctx, cfg.DB, queue.MigratePostgres)
		if err != nil {
			return nil, err
		}
		b.cat = catalog.NewPostgres(pool, nil)
		b.ping, b.close = pool.Ping, pool.Close
		b.newQueue = func(w *river.Workers, qc queue.Config) (*queue.Queue, error) {
			return queue.NewPostgres(pool, b.cat, w, qc)
		}
	} else {
		db, err := catalog.OpenSQLite(cfg.SQLitePath())
		if err != nil {
			return nil, err
		}
		if err := catalog.Migrate(ctx, db, "sqlite3"); err != nil {
			db.Close()
			return nil, err
		}
		if err := queue.MigrateSQLite(ctx, db); err != nil {
			db.Close()
			return nil, err
		}
		b.cat = catalog.New(db, nil)
		b.ping, b.close = db.PingContext, func() { db.Close() }
		b.newQueue = func(w *river.Workers, qc queue.Config) (*queue.Queue, error) {
			return queue.NewSQLite(db, b.cat, w, qc)
		}
	}
	b.cat.UseQuota(cfg.Limits.Quota) // per-user overrides are applied on top
	store, err := openStore(ctx, cfg, cfg.Store, cfg.StoreDir())
	if err != nil {
		b.close()
		return nil, err
	}
	b.store, b.raw = store, store
	if cfg.RawStore != "" {
		if b.raw, err = openStore(ctx, cfg, cfg.RawStore, cfg.RawStore); err != nil {
			b.close()
			return nil, err
		}
	}
	return b, nil
}

func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens url (s3://BUCKET[/PREFIX]) or the local directory dir.
func openStore(ctx context.Context, cfg config.Config, url, dir string) (storage.Store, error) {
	if strings.HasPrefix(url, "s3://") {
		return openS3(ctx, cfg, url)
	}
	if strings.Contains(url, "://") {
		return nil, fmt.Errorf("store %q: use a directory or s3://BUCKET[/PREFIX]", url)
	}
	return local.New(dir)
}

// storePrefix is what S3 event keys carry before a store key: the prefix of
// s3://BUCKET/PREFIX plus "/", or nothing.
func storePrefix(store string) string {
	rest, ok := strings.CutPrefix(store, "s3://")
	if !ok {
		return ""
	}
	_, prefix, _ := strings.Cut(rest, "/")
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return ""
	}
	return prefix + "/"
}
