//go:build pprof

package main

// Built only with -tags pprof, for profiling under load (bench/nginx.sh,
// issue 19): net/http/pprof on KINEMA_PPROF_ADDR (e.g. 127.0.0.1:6060),
// never on the public listener.

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof" // registers on http.DefaultServeMux
	"os"
)

func init() {
	addr := os.Getenv("KINEMA_PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() {
		slog.Error("pprof listener", "err", http.ListenAndServe(addr, nil)) //nolint:gosec // loopback profiling build only
	}()
}
