package queue

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Leases bring a dead worker's jobs back within seconds.
//
// River rescues a running job only after RescueStuckJobsAfter, which must
// exceed the longest job (hours for a long encode), so a SIGKILLed worker
// would stall its video that long. Instead every working process writes a
// heartbeat row every LeaseTTL/5, and looks as often for running jobs whose
// worker has been silent for longer than LeaseTTL. Such a job's attempt is
// discarded and the same job inserted afresh, in one transaction: River
// applies a job's result only to a row that is still running, so whatever
// the presumed-dead worker reports later changes nothing, and the fresh row
// goes to a live worker. A worker that cannot write its heartbeat for a
// lease minus one beat, or finds one of its jobs taken, cancels those jobs
// itself.
// Jobs on healthy workers are never touched, however long they run.

// DefaultLeaseTTL: a dead worker's job is back in the queue, ahead of the
// jobs queued with it, after at most about TTL + 2×TTL/5 (≈ 14 s), while a
// live worker would have to fail five heartbeats in a row to lose its jobs
// (and stops them itself after four).
const DefaultLeaseTTL = 10 * time.Second

// ErrLeaseLost means this process no longer holds the job: it was presumed
// dead and the job went to another worker. Nothing it produced may be used.
var ErrLeaseLost = errors.New("this worker lost the job: it was presumed dead and the job went to another worker")

// metaWorkersLost counts, in a requeued job's metadata, how many workers
// died holding it before.
const metaWorkersLost = "kinema_workers_lost"

// WorkersLost is how many workers died (were killed, ran out of memory,
// lost their machine) while holding this job before this attempt.
func WorkersLost(job *rivertype.JobRow) int {
	var m map[string]any
	if json.Unmarshal(job.Metadata, &m) != nil {
		return 0
	}
	n, _ := m[metaWorkersLost].(float64)
	return int(n)
}

// CheckLease returns ErrLeaseLost when the job whose work context ctx is
// may already run elsewhere; call it before publishing outputs.
func CheckLease(ctx context.Context) error {
	if errors.Is(context.Cause(ctx), ErrLeaseLost) {
		return ErrLeaseLost
	}
	if k, ok := ctx.Value(keeperKey{}).(*keeper); ok && !k.fresh() {
		return ErrLeaseLost
	}
	return nil
}

// lostJob is a running job whose worker went silent.
type lostJob struct {
	ID      int64
	Attempt int
	Worker  string
}

// holder is who runs a job now.
type holder struct {
	Attempt int
	Worker  string
}

// leaseDB is the SQL of leases, one implementation per database.
type leaseDB interface {
	// beat records that worker is alive, on the database's clock.
	beat(ctx context.Context, worker string) error
	// retire marks worker gone, so its leftovers are requeued at once.
	retire(ctx context.Context, worker string) error
	// expired lists running jobs whose worker has been silent for longer
	// than ttl. Workers without a heartbeat row (an older kinema during a
	// rolling upgrade) are left to River's rescuer.
	expired(ctx context.Context, ttl time.Duration) ([]lostJob, error)
	// orphans lists running jobs of worker, not among held, attempted
	// longer than age ago.
	orphans(ctx context.Context, worker string, held []int64, age time.Duration) ([]lostJob, error)
	// holders tells who runs those of ids that are running, or completed
	// them (a job that committed its completion and is about to return).
	holders(ctx context.Context, ids []int64) (map[int64]holder, error)
	// front gives those of ids that wait in the queue their first place
	// back (a job released by a stopping worker runs next).
	front(ctx context.Context, ids []int64) error
	// prune forgets workers silent for longer than age.
	prune(ctx context.Context, age time.Duration) error
	// close releases what the leases hold of their own.
	close()
}

// heartbeatsKept: rows of workers silent this long are deleted when a
// worker starts (every start adds a row), long after their jobs moved on.
const heartbeatsKept = 24 * time.Hour

// keeper writes this process's heartbeat, cancels jobs it no longer holds
// and requeues the jobs of dead workers.
type keeper struct {
	worker string
	ttl    time.Duration
	// fence: stop this process's jobs when its heartbeat cannot be written
	// for a while, as other processes may take them. Off on SQLite, where
	// the only other processes are earlier, dead ones.
	fence   bool
	db      leaseDB
	requeue func(ctx context.Context, j lostJob) (newID int64, ok bool, err error)
	log     *slog.Logger

	mu         sync.Mutex
	jobs       map[int64]heldJob
	lastBeat   time.Time   // when the last successful heartbeat was sent
	fenceTimer *time.Timer // stops the jobs when no heartbeat lands in time
	stop       context.CancelFunc
	done       chan struct{}
}

type heldJob struct {
	attempt int
	cancel  context.CancelCauseFunc
	taken   bool // cancelled because another worker has it now
}

type keeperKey struct{}

func (k *keeper) interval() time.Duration { return k.ttl / 5 }

// fresh reports whether this process's heartbeat is recent enough that no
// other process can have taken its jobs yet: the last one written is less
// than a lease minus one beat old.
func (k *keeper) fresh() bool {
	if !k.fence {
		return true
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return time.Since(k.lastBeat) < k.ttl-k.interval()
}

// start writes the first heartbeat, so no job is taken before it, and runs
// the loop until stopAndRetire.
func (k *keeper) start(ctx context.Context) error {
	sent := time.Now()
	if err := k.db.beat(ctx, k.worker); err != nil {
		return err
	}
	k.beaten(sent)
	if err := k.db.prune(ctx, heartbeatsKept); err != nil {
		k.log.Warn("forgetting old workers", "err", err)
	}
	ctx, k.stop = context.WithCancel(context.WithoutCancel(ctx))
	k.done = make(chan struct{})
	go k.loop(ctx)
	return nil
}

func (k *keeper) loop(ctx context.Context) {
	defer close(k.done)
	t := time.NewTicker(k.interval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		k.tick(ctx)
	}
}

func (k *keeper) tick(ctx context.Context) {
	// A slow heartbeat that lands is as good as a quick one: give it half a
	// lease rather than one beat (ticks missed meanwhile are dropped).
	ctx, cancel := context.WithTimeout(ctx, k.ttl/2)
	defer cancel()
	sent := time.Now()
	if err := k.db.beat(ctx, k.worker); err != nil {
		k.log.Warn("worker heartbeat failed", "err", err)
		return
	}
	// Jobs taken while this process was silent are stopped before its
	// heartbeat counts as fresh again, so CheckLease never passes for them.
	if k.dropTaken(ctx) {
		k.beaten(sent)
	}
	k.reap(ctx)
}

// beaten records a heartbeat sent at sent and, where another process could
// take this one's jobs, moves the fence: unless another heartbeat lands,
// the jobs are stopped a beat before a lease has passed since this one,
// whatever the loop is waiting for.
func (k *keeper) beaten(sent time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lastBeat = sent
	if !k.fence {
		return
	}
	d := time.Until(sent.Add(k.ttl - k.interval()))
	if k.fenceTimer == nil {
		k.fenceTimer = time.AfterFunc(d, func() {
			if k.fresh() {
				return // a heartbeat landed as the timer fired
			}
			k.cancelAll("no heartbeat could be written for " + time.Since(k.lastBeatAt()).Round(time.Second).String())
		})
		return
	}
	k.fenceTimer.Reset(d)
}

func (k *keeper) lastBeatAt() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lastBeat
}

// dropTaken cancels the jobs this process works that were handed to
// another worker (it was presumed dead, e.g. after a long pause). It
// reports whether it could tell.
func (k *keeper) dropTaken(ctx context.Context) bool {
	snapshot := k.heldAttempts()
	if len(snapshot) == 0 {
		return true
	}
	now, err := k.db.holders(ctx, slices.Collect(maps.Keys(snapshot)))
	if err != nil {
		k.log.Warn("checking held jobs", "err", err)
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	// Only the jobs of the snapshot, as they were: one that started or
	// returned during the query is checked next time.
	for id, attempt := range snapshot {
		h, held := k.jobs[id]
		if !held || h.attempt != attempt || h.taken {
			continue
		}
		if cur, ok := now[id]; !ok || cur.Attempt != h.attempt || cur.Worker != k.worker {
			k.log.Warn("job taken by another worker; stopping it here", "job", id, "attempt", h.attempt,
				"running", ok, "now_attempt", cur.Attempt, "now_worker", cur.Worker)
			h.cancel(ErrLeaseLost)
			h.taken = true
			k.jobs[id] = h
		}
	}
	return true
}

// heldIDs lists the jobs this process works now.
func (k *keeper) heldIDs() []int64 { return slices.Collect(maps.Keys(k.heldAttempts())) }

// heldAttempts maps the jobs this process works now to their attempts.
func (k *keeper) heldAttempts() map[int64]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	m := make(map[int64]int, len(k.jobs))
	for id, h := range k.jobs {
		m[id] = h.attempt
	}
	return m
}

func (k *keeper) cancelAll(why string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for id, h := range k.jobs {
		k.log.Warn("stopping job: this worker may be presumed dead", "job", id, "why", why)
		h.cancel(ErrLeaseLost)
	}
}

// reap requeues the jobs of dead workers. Every working process does it;
// the requeue's conditional update lets only one of them win per job.
func (k *keeper) reap(ctx context.Context) {
	lost, err := k.db.expired(ctx, k.ttl)
	if err != nil {
		k.log.Warn("looking for jobs of dead workers", "err", err)
		return
	}
	// This process's own rows that no job of it works: an outcome River
	// could not record (the database was away when the job returned).
	orphans, err := k.db.orphans(ctx, k.worker, slices.Collect(maps.Keys(k.heldAttempts())), k.ttl)
	if err != nil {
		k.log.Warn("looking for jobs this worker no longer works", "err", err)
	}
	for _, j := range orphans {
		newID, ok, err := k.requeue(ctx, j)
		if err != nil {
			k.log.Warn("requeueing a job this worker no longer works", "job", j.ID, "err", err)
		} else if ok {
			k.log.Info("requeued a job this worker no longer works", "job", j.ID, "new_job", newID, "worker", k.worker, "attempt", j.Attempt)
		}
	}
	for _, j := range lost {
		if j.Worker == k.worker {
			continue // alive by definition, only slow to write its heartbeat
		}
		newID, ok, err := k.requeue(ctx, j)
		switch {
		case err != nil:
			k.log.Warn("requeueing a dead worker's job", "job", j.ID, "dead_worker", j.Worker, "err", err)
		case ok:
			k.log.Info("requeued the job of a dead worker", "job", j.ID, "new_job", newID, "dead_worker", j.Worker, "attempt", j.Attempt)
		}
	}
}

// stopAndRetire ends the loop, puts the jobs released by the stop (released)
// back at the head of the queue and marks this worker gone.
func (k *keeper) stopAndRetire(ctx context.Context, released []int64) error {
	if k.stop == nil {
		return nil
	}
	k.stop()
	<-k.done
	k.stop = nil
	k.mu.Lock()
	if k.fenceTimer != nil {
		k.fenceTimer.Stop()
	}
	k.mu.Unlock()
	defer k.db.close()
	var err error
	if len(released) > 0 {
		err = k.db.front(ctx, released)
	}
	return errors.Join(err, k.db.retire(ctx, k.worker))
}

// middleware gives every job a context that is cancelled with ErrLeaseLost
// when the job is no longer this process's.
type leaseMiddleware struct {
	river.MiddlewareDefaults
	k *keeper
}

var _ rivertype.WorkerMiddleware = (*leaseMiddleware)(nil)

func (m *leaseMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	ctx, cancel := context.WithCancelCause(context.WithValue(ctx, keeperKey{}, m.k))
	defer cancel(nil)
	m.k.mu.Lock()
	m.k.jobs[job.ID] = heldJob{attempt: job.Attempt, cancel: cancel}
	m.k.mu.Unlock()
	defer func() {
		m.k.mu.Lock()
		delete(m.k.jobs, job.ID)
		m.k.mu.Unlock()
	}()
	return doInner(ctx)
}

// rawArgs re-inserts a job's stored args unchanged.
type rawArgs struct {
	kind string
	args json.RawMessage
}

func (a rawArgs) Kind() string                 { return a.kind }
func (a rawArgs) MarshalJSON() ([]byte, error) { return a.args, nil }

// discardedJob is what the requeue needs of a discarded attempt.
type discardedJob struct {
	Args        []byte
	Kind        string
	MaxAttempts int
	Metadata    []byte
	Priority    int
	Queue       string
	Tags        []string
	Unique      bool
	ScheduledAt time.Time
}

// lostError is the error recorded on the discarded attempt.
func lostError(j lostJob) []byte {
	b, _ := json.Marshal(rivertype.AttemptError{
		At: time.Now().UTC(), Attempt: j.Attempt,
		Error: "worker " + j.Worker + " stopped sending heartbeats (killed, out of memory or cut off); the job was requeued",
	})
	return b
}

// requeueParams is the fresh job for a discarded attempt, or false when it
// must not run again (someone asked to cancel it).
func requeueParams(d discardedJob) (river.InsertManyParams, bool) {
	meta := map[string]any{}
	_ = json.Unmarshal(d.Metadata, &meta)
	if _, cancelled := meta["cancel_attempted_at"]; cancelled {
		return river.InsertManyParams{}, false
	}
	lost, _ := meta[metaWorkersLost].(float64)
	newMeta, _ := json.Marshal(map[string]any{metaWorkersLost: int(lost) + 1})
	return river.InsertManyParams{
		Args: rawArgs{kind: d.Kind, args: d.Args},
		InsertOpts: &river.InsertOpts{
			MaxAttempts: d.MaxAttempts, Metadata: newMeta, Priority: d.Priority, Queue: d.Queue, Tags: d.Tags,
			UniqueOpts: river.UniqueOpts{ByArgs: d.Unique},
			// Just ahead of its old place in the queue (jobs inserted with
			// it share its time, and the fresh row's id is the highest): it
			// runs next, not after the jobs queued with or after it.
			ScheduledAt: d.ScheduledAt.Add(-time.Millisecond),
		},
	}, true
}
