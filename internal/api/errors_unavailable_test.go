package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// A database or store that cannot be reached answers 503 with Retry-After,
// so clients wait and try again; other unexpected errors stay 500.
func TestWriteErrorBackendUnavailable(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tt := range []struct {
		name       string
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{"database refused", fmt.Errorf("get video: failed to connect to `user=postgres`: %w", refused), http.StatusServiceUnavailable, "unavailable", "5"},
		{"connection reset", fmt.Errorf("list: %w", syscall.ECONNRESET), http.StatusServiceUnavailable, "unavailable", "5"},
		{"bug", errors.New("nil map"), http.StatusInternalServerError, "internal", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			writeError(rec, log, tt.err)
			require.Equal(t, tt.status, rec.Code)
			require.Equal(t, tt.retryAfter, rec.Header().Get("Retry-After"))
			var body errorBody
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			require.Equal(t, tt.code, body.Error.Code)
		})
	}
}
