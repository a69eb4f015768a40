package pipeline

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"syscall"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
)

// Infrastructure outages (the object store or the database unreachable for a
// while) must not burn a job's few attempts within seconds: River's backoff
// (1 s, 16 s) fails a video during a 30 s restart. Jobs that hit one snooze
// instead, which River does not count as an attempt, with a capped
// exponential delay, until transientBudget of waiting is spent; after that
// they fall back to the normal attempts. Real failures (an encode that
// fails) keep the MaxAttempts rule.
const (
	transientFirstDelay = time.Second
	transientMaxDelay   = 15 * time.Second
	transientBudget     = 10 * time.Minute
)

// transient reports whether err is an infrastructure fault worth waiting
// out: the store unreachable or answering 5xx, or the database connection
// lost, refused, restarting or overloaded.
func transient(err error) bool {
	if err == nil {
		return false
	}
	var exit *ffmpeg.ExitError
	if errors.As(err, &exit) {
		return false // ffmpeg ran and failed: that is the encode's own failure
	}
	return storage.IsTransient(err) || dbTransient(err)
}

// dbTransient recognizes PostgreSQL errors that a reconnect fixes, without
// importing a driver: pgx errors expose SQLState and SafeToRetry. Dial and
// read errors on a dropped connection are net errors (storage.IsTransient).
func dbTransient(err error) bool {
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) {
		code := pgErr.SQLState()
		switch {
		case strings.HasPrefix(code, "08"), // connection exception
			code == "57P01", code == "57P02", code == "57P03", // admin shutdown, crash shutdown, cannot connect now
			code == "53300", code == "53400", // too many connections, configuration limit
			code == "40001", code == "40P01": // serialization failure, deadlock
			return true
		}
		return false
	}
	var retry interface{ SafeToRetry() bool }
	if errors.As(err, &retry) && retry.SafeToRetry() {
		return true
	}
	// pgx reports a connection closed under it (server restarted) in words.
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "conn busy") ||
		strings.Contains(msg, "failed to connect to")
}

// diskFull reports that a write failed for lack of space (ENOSPC, or ffmpeg
// or SQLite saying so). Space does not come back by waiting a few seconds,
// so it is not transient: the job takes its normal attempts, then the video
// fails with a sentence that says so and can be retried.
func diskFull(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	var exit *ffmpeg.ExitError
	if errors.As(err, &exit) && strings.Contains(exit.StderrTail, "No space left on device") {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "no space left on device") || strings.Contains(msg, "database or disk is full")
}

// snoozes is how often River snoozed the job (its "snoozes" metadata).
func snoozes(job *rivertype.JobRow) int {
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(job.Metadata, &meta) // no metadata: never snoozed
	return meta.Snoozes
}

// transientDelay is how long to wait after the n-th snooze (0-based):
// doubling from transientFirstDelay, capped at transientMaxDelay, with
// ±10 % jitter so jobs that failed together do not come back together.
func transientDelay(n int) time.Duration {
	d := transientFirstDelay << min(n, 16)
	d = min(d, transientMaxDelay)
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

// transientWaited is the snooze time a job has already spent after n
// snoozes, without jitter.
func transientWaited(n int) time.Duration {
	var total time.Duration
	for i := range n {
		total += min(transientFirstDelay<<min(i, 16), transientMaxDelay)
	}
	return total
}
