package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// RiverMiddleware returns a River worker middleware that records every job
// attempt: kinema_jobs_running while it works, then kinema_jobs_total with
// its outcome and kinema_job_duration_seconds. Install it with
// river.Config{Middleware: []rivertype.Middleware{m.RiverMiddleware()}}.
func (m *Metrics) RiverMiddleware() rivertype.Middleware {
	return &riverMiddleware{m: m}
}

type riverMiddleware struct {
	river.MiddlewareDefaults
	m *Metrics
}

var _ rivertype.WorkerMiddleware = (*riverMiddleware)(nil)

// Work times the attempt. A panic is recorded as an error without recovering
// it, so River still sees the original panic and its stack trace.
func (rm *riverMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) (err error) {
	rm.m.JobStarted(job.Kind)
	start := time.Now()
	returned := false
	defer func() {
		if !returned {
			err = errors.New("panic")
		}
		rm.m.JobFinished(job.Kind, Outcome(job, err), time.Since(start))
	}()
	err = doInner(ctx)
	returned = true
	return err
}

// Outcome classifies the result of one attempt the way River will treat it:
// a plain error is retried until the job runs out of attempts, when River
// discards it (failed).
func Outcome(job *rivertype.JobRow, err error) string {
	var cancel *rivertype.JobCancelError
	var snooze *rivertype.JobSnoozeError
	switch {
	case err == nil:
		return OutcomeCompleted
	case errors.As(err, &cancel):
		return OutcomeCancelled
	case errors.As(err, &snooze):
		return OutcomeSnoozed
	case job.Attempt >= job.MaxAttempts:
		return OutcomeFailed
	default:
		return OutcomeRetry
	}
}
