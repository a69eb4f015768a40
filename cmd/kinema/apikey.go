package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/config"
)

// apikeyCmd: `kinema apikey create` stores a new key's hash in the catalog
// and prints the key once.
func apikeyCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: kinema apikey create [--data DIR] [--name NAME] [--admin]")
	}
	cfg := config.Default()
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if v := os.Getenv("KINEMA_DATA"); v != "" {
		cfg.DataDir = v
	}
	cfg.DB, cfg.Store = os.Getenv("KINEMA_DB"), os.Getenv("KINEMA_STORE")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (KINEMA_DATA)")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database: sqlite:PATH or postgres://... (KINEMA_DB)")
	name := fs.String("name", "cli", "a label for the key")
	admin := fs.Bool("admin", true, "grant admin rights (retry, job views)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ctx := context.Background()
	be, err := openBackends(ctx, cfg)
	if err != nil {
		return err
	}
	defer be.close()
	key := auth.NewAPIKey()
	if _, err := be.cat.CreateAPIKey(ctx, *name, auth.HashAPIKey(key), *admin); err != nil {
		return err
	}
	fmt.Fprintln(stdout, key)
	return nil
}
