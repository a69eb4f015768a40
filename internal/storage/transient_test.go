package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/storage"
)

type statusErr int

func (e statusErr) Error() string       { return fmt.Sprintf("http %d", int(e)) }
func (e statusErr) HTTPStatusCode() int { return int(e) }

func TestIsTransient(t *testing.T) {
	// A real refused connection: listen, close, dial the same port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	_, dialErr := net.Dial("tcp", addr)
	require.Error(t, dialErr)

	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connection refused", fmt.Errorf("get work/x: %w", dialErr), true},
		{"connection reset", fmt.Errorf("put: %w", syscall.ECONNRESET), true},
		{"body cut off", fmt.Errorf("copy: %w", io.ErrUnexpectedEOF), true},
		{"503 slow down", fmt.Errorf("put: %w", statusErr(503)), true},
		{"500", statusErr(500), true},
		{"429", statusErr(429), true},
		{"403 denied", statusErr(403), false},
		{"400", statusErr(400), false},
		{"not found", fmt.Errorf("open: %w", storage.ErrNotFound), false},
		{"invalid key", storage.ErrInvalidKey, false},
		{"cancelled", fmt.Errorf("get: %w", context.Canceled), false},
		{"disk full", fmt.Errorf("write: %w", syscall.ENOSPC), false},
		{"plain", errors.New("chunk 3 is not in the plan"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, storage.IsTransient(tt.err))
		})
	}
}
