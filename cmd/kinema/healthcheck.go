package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// healthcheckCmd: `kinema healthcheck` asks the kinema in this container
// (or on this machine) for /readyz and exits 0 only on 200, for a
// container HEALTHCHECK: the image has no curl. The address defaults to
// KINEMA_ADDR, as serve and worker read it.
func healthcheckCmd(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := os.Getenv("KINEMA_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	flags.StringVar(&addr, "addr", addr, "address kinema listens on (KINEMA_ADDR); an empty host means loopback")
	path := flags.String("path", "/readyz", "path to ask: /readyz (database and stores answer) or /healthz (the process answers)")
	timeout := flags.Duration("timeout", 5*time.Second, "give up after this long")
	if err := flags.Parse(args); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: *timeout}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + *path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprintf(stdout, "%s %s", resp.Status, body)
	if resp.StatusCode != http.StatusOK {
		return errors.New("not ready")
	}
	return nil
}
