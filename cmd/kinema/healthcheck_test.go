package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHealthcheck: exit 0 only on a 200 from the path asked, over https
// when the environment says serve speaks it.
func TestHealthcheck(t *testing.T) {
	ready := true
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" || !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	plain := httptest.NewServer(h)
	defer plain.Close()
	addr := strings.TrimPrefix(plain.URL, "http://")
	check := func(args ...string) error { return healthcheckCmd(args, io.Discard, io.Discard) }

	t.Setenv("KINEMA_ADDR", addr)
	require.NoError(t, check())
	require.Error(t, check("--path", "/healthz"), "the handler answers 503 there")
	ready = false
	require.Error(t, check())
	ready = true

	secure := httptest.NewTLSServer(h)
	defer secure.Close()
	t.Setenv("KINEMA_ADDR", strings.TrimPrefix(secure.URL, "https://"))
	require.Error(t, check(), "plain http to a TLS listener")
	t.Setenv("KINEMA_TLS_CERT", "/etc/kinema/cert.pem")
	require.NoError(t, check())
	require.Error(t, check("--addr", addr), "https to a plain listener")
}
