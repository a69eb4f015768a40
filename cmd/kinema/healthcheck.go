package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// healthcheckCmd: `kinema healthcheck` asks the kinema in this container
// (or on this machine) for /readyz and exits 0 only on 200, for a
// container HEALTHCHECK: the image has no curl. The address defaults to
// KINEMA_ADDR, as serve and worker read it. When KINEMA_TLS_CERT or
// KINEMA_TLS_DOMAIN says serve speaks https there, it asks over https
// with the first --tls-domain as server name (an ACME certificate is only
// handed out for its names) and does not verify the certificate: this
// checks that kinema answers, over loopback, not who it is.
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
	scheme := "http"
	domain, _, _ := strings.Cut(os.Getenv("KINEMA_TLS_DOMAIN"), ",")
	if os.Getenv("KINEMA_TLS_CERT") != "" || domain != "" {
		scheme = "https"
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{
			ServerName: strings.TrimSpace(domain), InsecureSkipVerify: true, //nolint:gosec // liveness over loopback, see above
		}}
	}
	resp, err := client.Get(scheme + "://" + net.JoinHostPort(host, port) + *path)
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
