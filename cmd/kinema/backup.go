package main

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/storage/local"
)

// A backup directory holds:
//
//	backup.json        what was saved (manifest below)
//	kinema.db          SQLite catalog + job queue, one consistent snapshot
//	postgres.txt       instead, with PostgreSQL: the pg_dump/pg_restore commands
//	catalog.pgdump     the dump, when pg_dump wrote it here first (postgres.txt)
//	keys/              playback signing keys, modification times kept
//	objects/           the object store when it is a local directory
//	objects.tsv        instead, for an s3:// store: every object listed
//	raw/, raw.tsv      the same for a separate --raw-store
//	tus/               resumable uploads in progress
const (
	backupManifest = "backup.json"
	backupDB       = "kinema.db"
	backupPGNotes  = "postgres.txt"
	backupPGDump   = "catalog.pgdump"
	backupKeys     = "keys"
	backupObjects  = "objects"
	backupRaw      = "raw"
	backupTus      = "tus"
	backupFormat   = 1
)

// backupInfo is backup.json.
type backupInfo struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	// Database is "sqlite" or "postgres"; Schema the catalog migration the
	// database was at, SchemaKnown the newest one the backing-up binary has.
	Database    string `json:"database"`
	Schema      int64  `json:"schema"`
	SchemaKnown int64  `json:"schema_known"`
	// Videos counts the snapshot's videos by status.
	Videos map[media.Status]int `json:"videos"`
	Store  storeBackup          `json:"store"`
	Raw    *storeBackup         `json:"raw_store,omitempty"`
	Keys   int                  `json:"keys"`
}

// storeBackup says how one object store was saved: Copied into a directory
// of the backup, or Listed (s3://) into a manifest file.
type storeBackup struct {
	URL     string `json:"url"`
	Copied  string `json:"copied,omitempty"`
	Listed  string `json:"listed,omitempty"`
	Objects int    `json:"objects"`
	Bytes   int64  `json:"bytes"`
}

// storageFlags binds what backup and restore share with serve: where the
// data directory, database and stores are, from flags or the environment.
func storageFlags(fs *flag.FlagSet, cfg *config.Config) {
	env := func(name string, dst *string) {
		if v := os.Getenv(name); v != "" {
			*dst = v
		}
	}
	env("KINEMA_DATA", &cfg.DataDir)
	env("KINEMA_DB", &cfg.DB)
	env("KINEMA_STORE", &cfg.Store)
	env("KINEMA_RAW_STORE", &cfg.RawStore)
	env("KINEMA_S3_ENDPOINT", &cfg.S3Endpoint)
	cfg.S3PathStyle = os.Getenv("KINEMA_S3_PATH_STYLE") == "true"
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (KINEMA_DATA)")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database: sqlite:PATH or postgres://... (KINEMA_DB)")
	fs.StringVar(&cfg.Store, "store", cfg.Store, "object store: a directory or s3://BUCKET[/PREFIX] (KINEMA_STORE)")
	fs.StringVar(&cfg.RawStore, "raw-store", cfg.RawStore, "separate store for uploaded sources (KINEMA_RAW_STORE)")
}

// backupCmd: `kinema backup --to DIR` saves a running (or stopped) server's
// state: the catalog first, then keys and objects, so everything the
// catalog names was stored before the copy began. Objects added later are
// extra, harmless; a video that was processing is restarted by restore.
func backupCmd(args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	flags := flag.NewFlagSet("backup", flag.ContinueOnError)
	flags.SetOutput(stderr)
	storageFlags(flags, &cfg)
	to := flags.String("to", "", "backup directory to create (must not exist or be empty)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *to == "" || flags.NArg() > 0 {
		return errors.New("usage: kinema backup --to DIR [--data DIR] [--db URL] [--store URL] [--raw-store URL]")
	}
	if err := emptyDir(*to); err != nil {
		return err
	}
	ctx := context.Background()
	info := backupInfo{Format: backupFormat, CreatedAt: time.Now().UTC()}
	start := time.Now()

	// 1. The catalog: one instant for every row and job.
	if isPostgres(cfg.DB) {
		if err := backupPostgres(ctx, cfg.DB, *to, &info); err != nil {
			return err
		}
	} else if err := backupSQLite(ctx, cfg.SQLitePath(), *to, &info); err != nil {
		return err
	}
	// 2. Signing keys: without them every link handed out stops playing.
	n, err := copyTree(cfg.KeysDir(), filepath.Join(*to, backupKeys), nil)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	info.Keys = n
	// 3. Objects.
	store, err := openStore(ctx, cfg, cfg.Store, cfg.StoreDir())
	if err != nil {
		return err
	}
	if info.Store, err = backupStore(ctx, store, cmp.Or(cfg.Store, cfg.StoreDir()), *to, backupObjects); err != nil {
		return err
	}
	if cfg.RawStore != "" {
		raw, err := openStore(ctx, cfg, cfg.RawStore, cfg.RawStore)
		if err != nil {
			return err
		}
		sb, err := backupStore(ctx, raw, cfg.RawStore, *to, backupRaw)
		if err != nil {
			return err
		}
		info.Raw = &sb
	}
	// 4. Uploads in progress (tus), best effort: their clients resume.
	skipLocks := func(name string) bool { return strings.HasSuffix(name, ".lock") }
	if _, err := copyTree(cfg.TusDir(), filepath.Join(*to, backupTus), skipLocks); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("tus uploads: %w", err)
	}
	if err := writeJSON(filepath.Join(*to, backupManifest), info); err != nil {
		return err
	}
	printBackup(stdout, *to, info, time.Since(start))
	return nil
}

func backupSQLite(ctx context.Context, path, to string, info *backupInfo) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no catalog to back up: %w", err)
	}
	db, err := catalog.OpenSQLite(path)
	if err != nil {
		return err
	}
	defer db.Close()
	snap := filepath.Join(to, backupDB)
	if err := catalog.SnapshotSQLite(ctx, db, snap); err != nil {
		return err
	}
	// Describe the snapshot, not the live file: that is what restore gets.
	sdb, err := catalog.OpenSQLite(snap)
	if err != nil {
		return err
	}
	defer sdb.Close()
	info.Database = "sqlite"
	return describeCatalog(ctx, sdb, "sqlite3", catalog.New(sdb, nil), info)
}

func describeCatalog(ctx context.Context, db *sql.DB, dialect string, cat *catalog.Catalog, info *backupInfo) error {
	var err error
	if info.Schema, info.SchemaKnown, err = catalog.SchemaVersion(ctx, db, dialect); err != nil {
		return err
	}
	info.Videos, err = cat.StatusCounts(ctx)
	return err
}

// backupPostgres does not dump the database (pg_dump must match the
// server's major version, which kinema cannot know); it writes the commands
// to run, and records the schema and counts as of now.
func backupPostgres(ctx context.Context, dbURL, to string, info *backupInfo) error {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer pool.Close()
	info.Database = "postgres"
	if err := describeCatalog(ctx, stdlib.OpenDBFromPool(pool), "postgres", catalog.NewPostgres(pool, nil), info); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(to, backupPGNotes), []byte(postgresNotes(dbURL, to)), 0o640)
}

// postgresNotes explains how to save and restore a PostgreSQL catalog.
func postgresNotes(dbURL, to string) string {
	shown := dbURL
	if u, err := url.Parse(dbURL); err == nil {
		shown = u.Redacted()
	}
	dump := filepath.Join(to, backupPGDump)
	return fmt.Sprintf(`The catalog and job queue are in PostgreSQL (%s).
kinema does not dump it: use pg_dump of the server's major version.

Consistency: the dump must be taken BEFORE the objects are copied or listed,
so that every object the catalog names exists. Run pg_dump first, then
`+"`kinema backup`"+` (or take the dump and the object copy in that order):

  pg_dump --format=custom --no-owner --file=%s '%s'

pg_dump reads one snapshot (a single transaction), so the dump is
consistent while kinema keeps running.

Restore into an empty database, then let kinema restore the keys and
objects and restart the videos that were processing:

  createdb kinema_restored
  pg_restore --no-owner --dbname='postgres://.../kinema_restored' %s
  kinema restore --from %s --data NEWDIR --db 'postgres://.../kinema_restored'
`, shown, dump, shown, dump, to)
}

// backupStore copies a local store object by object into to/name, or lists
// an s3:// store into to/name.tsv. Objects deleted while the copy runs are
// skipped (work files of finished jobs).
func backupStore(ctx context.Context, src storage.Store, srcURL, to, name string) (storeBackup, error) {
	sb := storeBackup{URL: srcURL}
	infos, err := src.List(ctx, "")
	if err != nil {
		return sb, fmt.Errorf("list %s: %w", srcURL, err)
	}
	if strings.HasPrefix(srcURL, "s3://") {
		sb.Listed = name + ".tsv"
		f, err := os.Create(filepath.Join(to, sb.Listed))
		if err != nil {
			return sb, err
		}
		w := tabwriter.NewWriter(f, 0, 0, 1, ' ', 0)
		fmt.Fprintln(w, "# key\tsize\tetag\tmodified")
		for _, in := range infos {
			fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", in.Key, in.Size, in.ETag, in.ModTime.UTC().Format(time.RFC3339))
			sb.Objects++
			sb.Bytes += in.Size
		}
		if err := errors.Join(w.Flush(), f.Close()); err != nil {
			return sb, err
		}
		return sb, nil
	}
	sb.Copied = name
	dst, err := local.New(filepath.Join(to, name))
	if err != nil {
		return sb, err
	}
	for _, in := range infos {
		n, err := copyObject(ctx, src, dst, in.Key)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return sb, fmt.Errorf("copy %s: %w", in.Key, err)
		}
		sb.Objects++
		sb.Bytes += n
	}
	return sb, os.RemoveAll(filepath.Join(to, name, ".tmp"))
}

func copyObject(ctx context.Context, src, dst storage.Store, key string) (int64, error) {
	o, err := src.Open(ctx, key)
	if err != nil {
		return 0, err
	}
	defer o.Close()
	in, err := dst.Put(ctx, key, o)
	return in.Size, err
}

// copyTree copies the regular files under src to dst with their modes and
// modification times (the newest signing key signs), skipping names skip
// accepts. It returns how many files it copied.
func copyTree(src, dst string, skip func(string) bool) (int, error) {
	n := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p != src {
				return nil // removed while we walked
			}
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		if !d.Type().IsRegular() || (skip != nil && skip(d.Name())) {
			return nil
		}
		if err := copyFile(p, target); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		n++
		return nil
	})
	return n, err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chtimes(dst, st.ModTime(), st.ModTime())
}

// emptyDir creates dir, or accepts it when it exists and is empty but for
// a PostgreSQL dump taken just before (see postgresNotes).
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o750)
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != backupPGDump {
			return fmt.Errorf("%s is not empty", dir)
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o640)
}

func printBackup(w io.Writer, to string, info backupInfo, took time.Duration) {
	fmt.Fprintf(w, "backup in %s (%.1f s)\n", to, took.Seconds())
	fmt.Fprintf(w, "  catalog: %s, schema %d, videos %v\n", info.Database, info.Schema, info.Videos)
	fmt.Fprintf(w, "  keys: %d files\n", info.Keys)
	for _, sb := range []*storeBackup{&info.Store, info.Raw} {
		if sb == nil {
			continue
		}
		how := "copied to " + sb.Copied
		if sb.Listed != "" {
			how = "listed in " + sb.Listed + " (not copied: use the provider's replication or versioning)"
		}
		fmt.Fprintf(w, "  store %s: %d objects, %d bytes, %s\n", sb.URL, sb.Objects, sb.Bytes, how)
	}
	if info.Database == "postgres" {
		fmt.Fprintf(w, "  PostgreSQL is not dumped by kinema: see %s for pg_dump and pg_restore\n", filepath.Join(to, backupPGNotes))
	}
}
