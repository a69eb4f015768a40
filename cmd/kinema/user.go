package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/config"
)

// userCmd: `kinema user create --email E --role R` adds an account from the
// command line (the first admin of a server that is not reachable by
// browser yet, or a locked-out admin). The password is read from stdin so it
// never shows up in the process list or shell history.
func userCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: echo PASSWORD | kinema user create --email EMAIL [--role admin|uploader|viewer] [--name NAME] [--data DIR] [--db URL]")
	}
	cfg := config.Default()
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.DataDir = cmpEnv("KINEMA_DATA", cfg.DataDir)
	cfg.DB = os.Getenv("KINEMA_DB")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (KINEMA_DATA)")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database: sqlite:PATH or postgres://... (KINEMA_DB)")
	email := fs.String("email", "", "the account's email (required)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", string(access.RoleAdmin), "admin, uploader or viewer")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !access.Role(*role).Valid() || *email == "" {
		return fmt.Errorf("--email is required and --role must be admin, uploader or viewer")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	hash, err := auth.HashPassword(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return fmt.Errorf("password from stdin: %w", err)
	}
	ctx := context.Background()
	be, err := openBackends(ctx, cfg)
	if err != nil {
		return err
	}
	defer be.close()
	u, err := be.cat.CreateUser(ctx, catalog.NewUser{Email: *email, Name: *name, PasswordHash: hash, Role: access.Role(*role)})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (%s)\n", u.Role, u.Email, u.ID)
	return nil
}

func cmpEnv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
