package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/testutil"
)

// requireNoInternals fails when a user-facing sentence shows a path, an
// object key or an SDK's words (#18 item 10).
func requireNoInternals(t *testing.T, reason string) {
	t.Helper()
	for _, leak := range []string{"/", "work", "scratch", "operation error", "raw", "seg_", "copy_file_range", "dial tcp", "127.0.0.1"} {
		require.NotContains(t, reason, leak, reason)
	}
}

// Each class of failure gets its own sentence, and none repeats the error.
func TestFailureReasonHidesInternals(t *testing.T) {
	s3Key := "work/Vx1/1/audio/a0/seg_00002.m4s"
	for _, tt := range []struct {
		name, want string
		err        error
	}{
		{"disk full", "ran out of disk space", fmt.Errorf("encode chunk 2: %w", &fs.PathError{Op: "write", Path: "/var/lib/kinema/data/scratch/job-41/v0.ts", Err: syscall.ENOSPC})},
		{"disk full in words", "ran out of disk space", errors.New("write /data/scratch/job-41/v0.ts: copy_file_range: no space left on device")},
		{"store refused", "storage could not be reached for over 10 minutes", fmt.Errorf("put %s: operation error S3: PutObject, %w", s3Key,
			&net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9000}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})},
		{"database restarting", "database could not be reached", fmt.Errorf("plan Vx1: %w", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"})},
		{"time limit", "took longer than the server allows", fmt.Errorf("ffmpeg /data/scratch/job-41/in.mkv: %w", context.DeadlineExceeded)},
		{"ffmpeg hint", "The server ran out of memory.", &ffmpeg.ExitError{Code: 1, StderrTail: "/data/scratch/x.ts: Cannot allocate memory", Hint: "The server ran out of memory."}},
		{"ffmpeg without hint", "internal error; it has been logged", &ffmpeg.ExitError{Code: 1, StderrTail: "[mpegts @ 0x5] /data/scratch/job-41/v0.ts: Conversion failed!"}},
		{"anything else", "internal error; it has been logged", fmt.Errorf("put %s: operation error S3: PutObject, https response error StatusCode: 403, api error AccessDenied", s3Key)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reason := failureReason("encode", 3, tt.err)
			require.Contains(t, reason, tt.want)
			require.Contains(t, reason, "Retry the video")
			requireNoInternals(t, reason)
		})
	}
}

// brokenWorkPuts fails every write under work/ the way a store on a broken
// disk does: a real write below a path that is a file, so the error names
// the path and the object key.
type brokenWorkPuts struct {
	storage.Store
	blocker string // a regular file
}

func (s brokenWorkPuts) Put(ctx context.Context, key string, r io.Reader) (storage.Info, error) {
	if !strings.HasPrefix(key, "work/") {
		return s.Store.Put(ctx, key, r)
	}
	if err := os.WriteFile(filepath.Join(s.blocker, key), nil, 0o600); err != nil {
		return storage.Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	return storage.Info{}, errors.New("writing below a file worked")
}

// A store that refuses the pipeline's writes fails the video after its
// attempts with a sentence; the path and key stay in the log, with the
// video id.
func TestFailedVideoShowsNoPathsOrKeys(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "scratch-is-a-file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	b := setup(t, 1, func(_ *Config, b *bundle) {
		b.store.Store = brokenWorkPuts{Store: b.store.Store, blocker: blocker}
	})
	v := b.process(t, testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}))
	require.Equal(t, media.StatusFailed, v.Status)
	require.Contains(t, v.Error, "internal error; it has been logged")
	requireNoInternals(t, v.Error)
	logged := false
	for _, line := range strings.Split(b.logs.String(), "\n") {
		logged = logged || (strings.Contains(line, "job failed for good") && strings.Contains(line, "video="+v.ID) &&
			strings.Contains(line, "work/"+v.ID) && strings.Contains(line, blocker))
	}
	require.True(t, logged, "the log keeps the error with the video id:\n%s", b.logs.String())
}
