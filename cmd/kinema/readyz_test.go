package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/storage/local"
)

// listCounting counts List calls and fails them while down is set.
type listCounting struct {
	storage.Store
	lists atomic.Int64
	down  atomic.Bool
}

func (s *listCounting) List(ctx context.Context, prefix string) ([]storage.Info, error) {
	s.lists.Add(1)
	if s.down.Load() {
		return nil, errors.New("list " + prefix + ": connection refused")
	}
	return s.Store.List(ctx, prefix)
}

func readyzAnswer(h http.Handler) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	return rec.Code, rec.Body.String()
}

// A load balancer polling /readyz costs the store one LIST per
// readyStoreCache, and each part is reported on its own.
func TestReadyzAsksTheStoreAtMostOncePerCachePeriod(t *testing.T) {
	ls, err := local.New(t.TempDir())
	require.NoError(t, err)
	st := &listCounting{Store: ls}
	var dbErr atomic.Pointer[error]
	ping := func(context.Context) error {
		if p := dbErr.Load(); p != nil {
			return *p
		}
		return nil
	}
	rd := newReadiness(ping, map[string]storage.Store{"store": st}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	for range 50 {
		code, body := readyzAnswer(rd)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, "database: ok\nstore: ok\n", body)
	}
	require.Equal(t, int64(1), st.lists.Load(), "one LIST for 50 polls")

	st.down.Store(true)
	require.Eventually(t, func() bool {
		code, _ := readyzAnswer(rd)
		return code == http.StatusServiceUnavailable
	}, readyStoreCache+time.Second, 50*time.Millisecond)
	_, body := readyzAnswer(rd)
	require.Equal(t, "database: ok\nstore: unavailable\n", body)

	down := errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
	dbErr.Store(&down)
	code, body := readyzAnswer(rd)
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, "database: unavailable\nstore: unavailable\n", body, "no error text on a public endpoint")
}
