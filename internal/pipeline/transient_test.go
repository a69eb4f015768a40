package pipeline

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
)

func TestTransientClassification(t *testing.T) {
	for _, tt := range []struct {
		name            string
		err             error
		transient, full bool
	}{
		{"store refused", fmt.Errorf("fetch source: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), true, false},
		{"postgres restarting", fmt.Errorf("plan: %w", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}), true, false},
		{"postgres starting up", &pgconn.PgError{Code: "57P03"}, true, false},
		{"postgres connection exception", &pgconn.PgError{Code: "08006"}, true, false},
		{"postgres constraint", &pgconn.PgError{Code: "23505"}, false, false},
		{"pgx conn closed", errors.New("conn closed"), true, false},
		{"ffmpeg failed", &ffmpeg.ExitError{Code: 1, StderrTail: "Conversion failed!"}, false, false},
		{"ffmpeg disk full", &ffmpeg.ExitError{Code: 1, StderrTail: "av_interleaved_write_frame(): No space left on device"}, false, true},
		{"scratch disk full", fmt.Errorf("copy: %w", syscall.ENOSPC), false, true},
		{"sqlite full", errors.New("database or disk is full (13)"), false, true},
		{"missing object", fmt.Errorf("open: %w", storage.ErrNotFound), false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.transient, transient(tt.err), "transient")
			require.Equal(t, tt.full, diskFull(tt.err), "disk full")
		})
	}
}

func TestTransientBackoff(t *testing.T) {
	// Doubling from 1 s, capped at 15 s, jittered by at most 10 %.
	for n, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 15 * time.Second} {
		d := transientDelay(n)
		require.InDelta(t, float64(want), float64(d), 0.1*float64(want)+1, "snooze %d", n)
	}
	require.InDelta(t, float64(15*time.Second), float64(transientDelay(1000)), float64(2*time.Second), "no overflow")
	// A 30 s outage is far inside the budget; the budget ends after several minutes.
	require.Less(t, transientWaited(6), 60*time.Second)
	n := 0
	for transientWaited(n) < transientBudget {
		n++
	}
	require.Greater(t, n, 30)
	require.Less(t, n, 60)
}

func TestSnoozesFromMetadata(t *testing.T) {
	require.Equal(t, 0, snoozes(&rivertype.JobRow{}))
	require.Equal(t, 0, snoozes(&rivertype.JobRow{Metadata: []byte(`{}`)}))
	require.Equal(t, 7, snoozes(&rivertype.JobRow{Metadata: []byte(`{"snoozes": 7, "other": "x"}`)}))
}

func TestFailureReasonSaysWhatWentWrong(t *testing.T) {
	full := failureReason("chunk-2", 3, &ffmpeg.ExitError{Code: 1, StderrTail: "No space left on device", Hint: "The server ran out of disk space."})
	require.Contains(t, full, "ran out of disk space")
	require.Contains(t, full, "Retry the video")
	down := failureReason("package", 3, fmt.Errorf("put: %w", syscall.ECONNREFUSED))
	require.Contains(t, down, "could not be reached")
	require.NotContains(t, failureReason("probe", 3, errors.New("boom")), "boom") // failure_test.go
}
