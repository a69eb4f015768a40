// Command kinema is the whole platform in one binary: `kinema serve` runs the
// API, uploads, delivery, web UI and pipeline workers; `kinema upload` sends a
// file from the command line; `kinema apikey create` mints an API key.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: kinema <command> [flags]

commands:
  serve           run the API, uploads, delivery, web UI and workers
  worker          run pipeline jobs only (scale-out; --db postgres://... --store s3://...)
  upload FILE     upload a file (--server, --token, --title, --wait)
  apikey create   print a new API key (--data, --name, --admin)
  user create     add an account, password on stdin (--email, --role, --name, --data)
  sign VIDEO_ID   print a signed HLS playback URL (--data, --ttl, --base, --ip)
  keys CMD        rotate | remove KID | list playback signing keys (--data)
  backup --to DIR save the catalog (consistent snapshot), keys and objects of a running server
  restore --from DIR --data NEWDIR
                  put a backup into a new data directory; restarts videos caught processing
  healthcheck     exit 0 when the local kinema answers /readyz (--addr, --path), for containers
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serveCmd(args[1:], stderr)
	case "worker":
		err = workerCmd(args[1:], stderr)
	case "upload":
		err = uploadCmd(args[1:], stdout, stderr)
	case "sign":
		err = signCmd(args[1:], stdout, stderr)
	case "keys":
		err = keysCmd(args[1:], stdout, stderr)
	case "apikey":
		err = apikeyCmd(args[1:], stdout, stderr)
	case "backup":
		err = backupCmd(args[1:], stdout, stderr)
	case "restore":
		err = restoreCmd(args[1:], stdout, stderr)
	case "healthcheck":
		err = healthcheckCmd(args[1:], stdout, stderr)
	case "user":
		err = userCmd(args[1:], os.Stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "kinema: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var exit exitCode
	if errors.As(err, &exit) {
		return int(exit)
	}
	if err != nil {
		fmt.Fprintf(stderr, "kinema: %v\n", err)
		return 1
	}
	return 0
}

// exitCode ends the process with a status but no further message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// signalContext is cancelled by the first SIGINT/SIGTERM; a second one exits
// at once.
func signalContext(log *slog.Logger) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-ch
		log.Info("shutting down; send the signal again to exit now", "signal", s.String())
		cancel()
		<-ch
		os.Exit(1)
	}()
	return ctx, cancel
}
