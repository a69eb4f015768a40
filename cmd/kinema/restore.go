package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/pipeline"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
)

// restoreCmd: `kinema restore --from BACKUP --data NEWDIR` puts a backup
// into a new data directory: keys, the SQLite catalog, copied objects and
// uploads in progress. It then migrates the catalog to this binary's schema
// and starts again, from their stored source, the videos the backup caught
// queued or processing, so they end ready instead of stuck.
func restoreCmd(args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	cfg.DataDir = ""
	flags := flag.NewFlagSet("restore", flag.ContinueOnError)
	flags.SetOutput(stderr)
	storageFlags(flags, &cfg)
	from := flags.String("from", "", "backup directory written by kinema backup")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *from == "" || cfg.DataDir == "" || flags.NArg() > 0 {
		return errors.New("usage: kinema restore --from BACKUP --data NEWDIR [--db postgres://...] [--store DIR|s3://...] [--raw-store DIR|s3://...]")
	}
	var info backupInfo
	b, err := os.ReadFile(filepath.Join(*from, backupManifest))
	if err != nil {
		return fmt.Errorf("not a kinema backup: %w", err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return fmt.Errorf("%s: %w", backupManifest, err)
	}
	if info.Format != backupFormat {
		return fmt.Errorf("backup format %d: this kinema reads format %d", info.Format, backupFormat)
	}
	switch {
	case info.Database == "postgres" && !isPostgres(cfg.DB):
		return fmt.Errorf("the backup's catalog is in PostgreSQL: restore it with pg_restore (see %s), then pass that database with --db",
			filepath.Join(*from, backupPGNotes))
	case info.Database == "sqlite" && cfg.DB != "":
		return errors.New("the backup's catalog is SQLite: it is restored to NEWDIR/kinema.db, leave --db unset")
	}
	if err := freshDataDir(cfg.DataDir); err != nil {
		return err
	}
	if _, err := copyTree(filepath.Join(*from, backupKeys), cfg.KeysDir(), nil); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	if info.Database == "sqlite" {
		if err := copyFile(filepath.Join(*from, backupDB), cfg.SQLitePath()); err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
	}
	if err := restoreStore(*from, info.Store, &cfg.Store, cfg.StoreDir(), true); err != nil {
		return err
	}
	if info.Raw != nil {
		if err := restoreStore(*from, *info.Raw, &cfg.RawStore, filepath.Join(cfg.DataDir, backupRaw), false); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "uploaded sources are in %s: run kinema with --raw-store %s\n", cfg.RawStore, cfg.RawStore)
	}
	if _, err := copyTree(filepath.Join(*from, backupTus), cfg.TusDir(), nil); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("tus uploads: %w", err)
	}
	ids, err := restartInterrupted(context.Background(), cfg, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s (catalog %s, schema %d, videos %v)\n", *from, cfg.DataDir, info.Database, info.Schema, info.Videos)
	fmt.Fprintf(stdout, "restarted %d video(s) the backup caught processing: %v\n", len(ids), ids)
	return nil
}

// freshDataDir refuses a data directory that already holds a catalog or
// keys: restoring over a live installation would mix two of them.
func freshDataDir(dir string) error {
	for _, name := range []string{"kinema.db", "keys", "objects"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("%s already has %s: restore into a new data directory", dir, name)
		}
	}
	return os.MkdirAll(dir, 0o750)
}

// restoreStore copies a copied store back into a directory: the one
// *storeURL names, else def (which *storeURL then names unless isDefault).
// A listed (s3://) store is not copied: kinema goes on using the bucket
// itself unless --store names another.
func restoreStore(from string, sb storeBackup, storeURL *string, def string, isDefault bool) error {
	if sb.Listed != "" {
		if *storeURL == "" {
			*storeURL = sb.URL
		}
		return nil
	}
	dir := def
	switch {
	case strings.Contains(*storeURL, "://"):
		return fmt.Errorf("the backup copied the store %s: restore it into a directory, not %s", sb.URL, *storeURL)
	case *storeURL != "":
		dir = *storeURL
	case !isDefault:
		*storeURL = def
	}
	n, err := copyTree(filepath.Join(from, sb.Copied), dir, nil)
	if err != nil {
		return fmt.Errorf("objects: %w", err)
	}
	if n != sb.Objects {
		return fmt.Errorf("objects: the backup lists %d objects, %d were found", sb.Objects, n)
	}
	return nil
}

// restartInterrupted opens the restored catalog (migrating it to this
// binary's schema) and starts a new run of every video that was queued or
// processing. The queue client only inserts: no job runs here.
func restartInterrupted(ctx context.Context, cfg config.Config, log *slog.Logger) ([]string, error) {
	be, err := openBackends(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer be.close()
	pipe := pipeline.New(be.cat, be.store, ffmpeg.NewRunner(cfg.FFmpeg, cfg.FFprobe, log), pipeline.Config{
		Ladder: cfg.Ladder, Limits: cfg.Limits, ScratchDir: cfg.ScratchDir(), MaxAttempts: cfg.MaxAttempts, RawStore: be.raw,
	}, log)
	workers := river.NewWorkers()
	pipe.Register(workers)
	q, err := be.newQueue(workers, queue.Config{Concurrency: 0, Logger: log})
	if err != nil {
		return nil, err
	}
	pipe.UseQueue(q)
	ids, err := be.cat.Interrupted(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := pipe.Restart(ctx, id); err != nil {
			return nil, fmt.Errorf("restart video %s: %w", id, err)
		}
	}
	return ids, nil
}
