package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/queue"
)

// runJob is what every job's args have: the run they belong to.
type runJob interface {
	river.JobArgs
	runRef() Ref
}

func (r Ref) runRef() Ref { return r }

// guard fails the run instead of starting a job whose workers died holding
// it MaxAttempts times (queue.WorkersLost): a file that takes down every
// worker that touches it (out of memory, a crash) must not go on to take
// down the next one.
func guard[T runJob](p *Pipeline, work func(context.Context, *river.Job[T]) error) river.Worker[T] {
	return river.WorkFunc(func(ctx context.Context, job *river.Job[T]) error {
		lost := queue.WorkersLost(job.JobRow)
		if lost < p.cfg.MaxAttempts {
			return work(ctx, job)
		}
		reason := fmt.Sprintf("Processing stopped: the worker running the %s step died %d times on this file "+
			"(killed, out of memory or cut off). Retry the video; if it happens again, the file may need more "+
			"memory than a worker has.", strings.ReplaceAll(job.Kind, "_", " "), lost)
		logWith(p.log, job.Args.runRef()).Error("job killed its workers too often; failing the run", "job", job.ID, "workers_lost", lost)
		p.failRun(job.Args.runRef(), reason, false)
		return river.JobCancel(errors.New(reason))
	})
}
