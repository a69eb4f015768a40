package queue

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/testutil"
)

// holdArgs is a job that runs until the test releases it, like a long
// encode.
type holdArgs struct {
	Name string `json:"name"`
}

func (holdArgs) Kind() string { return "hold" }

// attemptRun is one attempt of a hold job, as its worker saw it.
type attemptRun struct {
	worker string
	job    *river.Job[holdArgs]
	ctx    context.Context
	result chan error // what completing the job in a transaction returned
}

// holdWorkers records every attempt and completes it (in a transaction, as
// the pipeline does) once released.
type holdWorkers struct {
	mu      sync.Mutex
	started []*attemptRun
	release chan struct{}
}

func (h *holdWorkers) attempts() []*attemptRun {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*attemptRun(nil), h.started...)
}

func (h *holdWorkers) register(worker string, q **Queue) *river.Workers {
	w := river.NewWorkers()
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[holdArgs]) error {
		run := &attemptRun{worker: worker, job: job, ctx: ctx, result: make(chan error, 1)}
		h.mu.Lock()
		h.started = append(h.started, run)
		h.mu.Unlock()
		select {
		case <-h.release:
		case <-ctx.Done():
		}
		if ctx.Err() != nil { // stopped: back to the queue, like the pipeline's jobs
			run.result <- ctx.Err()
			return river.JobSnooze(time.Second)
		}
		err := (*q).InTx(ctx, func(tx *Tx) error { return tx.Complete(ctx, job.JobRow) })
		run.result <- err
		return err
	}))
	return w
}

// leaseBackend opens one database shared by two "processes".
type leaseBackend func(t *testing.T) func(t *testing.T, id string, w *river.Workers) *Queue

// migratedSQLite is a fresh database with the catalog's and River's tables.
func migratedSQLite(t *testing.T) *sql.DB {
	db, err := catalog.OpenSQLite(filepath.Join(t.TempDir(), "kinema.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, catalog.Migrate(context.Background(), db, "sqlite3"))
	require.NoError(t, MigrateSQLite(context.Background(), db))
	return db
}

func sqliteBackend(t *testing.T) func(t *testing.T, id string, w *river.Workers) *Queue {
	db := migratedSQLite(t)
	cat := catalog.New(db, nil)
	return func(t *testing.T, id string, w *river.Workers) *Queue {
		q, err := NewSQLite(db, cat, w, Config{Concurrency: 1, ID: id, PollInterval: 200 * time.Millisecond})
		require.NoError(t, err)
		return q
	}
}

func postgresBackend(t *testing.T) func(t *testing.T, id string, w *river.Workers) *Queue {
	url := testutil.PostgresURL(t)
	return func(t *testing.T, id string, w *river.Workers) *Queue {
		pool, err := catalog.OpenPostgres(context.Background(), url, MigratePostgres)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		q, err := NewPostgres(pool, catalog.NewPostgres(pool, nil), w, Config{Concurrency: 1, ID: id, PollInterval: 200 * time.Millisecond})
		require.NoError(t, err)
		return q
	}
}

// TestLeases, with the default lease: a job on a healthy worker is never
// run twice however long it runs; when its worker goes silent, another
// worker runs it within 30 s; the silent worker's late completion is
// refused and changes nothing.
func TestLeases(t *testing.T) {
	for name, backend := range map[string]leaseBackend{"sqlite": sqliteBackend, "postgres": postgresBackend} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testLeases(t, backend(t))
		})
	}
}

func testLeases(t *testing.T, open func(t *testing.T, id string, w *river.Workers) *Queue) {
	ctx := context.Background()
	h := &holdWorkers{release: make(chan struct{})}
	var qa, qb *Queue
	qa = open(t, "worker-a", h.register("worker-a", &qa))
	qb = open(t, "worker-b", h.register("worker-b", &qb))
	require.NoError(t, qa.Start(ctx))
	t.Cleanup(func() { _ = qa.Stop(context.Background()) })
	require.NoError(t, qa.InTx(ctx, func(tx *Tx) error {
		return tx.Insert(ctx, river.InsertManyParams{Args: holdArgs{Name: "long"}})
	}))
	testutil.PollUntil(t, 10*time.Second, "worker A takes the job", func() bool { return len(h.attempts()) == 1 })
	require.NoError(t, qb.Start(ctx))
	t.Cleanup(func() { _ = qb.Stop(context.Background()) })

	// A healthy worker keeps its job well past the lease.
	time.Sleep(2 * DefaultLeaseTTL)
	require.Len(t, h.attempts(), 1, "a job on a live worker was started again elsewhere")
	require.NoError(t, CheckLease(h.attempts()[0].ctx))

	// Worker A goes silent (paused, cut off, or killed with its job
	// half-done): its heartbeats stop.
	a := h.attempts()[0]
	qa.leases.stop()
	<-qa.leases.done
	qa.leases.mu.Lock()
	if qa.leases.fenceTimer != nil {
		qa.leases.fenceTimer.Stop() // frozen: its timers do not fire either
	}
	qa.leases.mu.Unlock()
	silent := time.Now()
	testutil.PollUntil(t, 30*time.Second, "another worker runs the job", func() bool { return len(h.attempts()) == 2 })
	took := time.Since(silent)
	t.Logf("job ran again on %s %.1f s after its worker went silent", h.attempts()[1].worker, took.Seconds())
	b := h.attempts()[1]
	require.Equal(t, "worker-b", b.worker)
	require.Equal(t, 1, WorkersLost(b.job.JobRow))
	if qa.leases.fence {
		require.ErrorIs(t, CheckLease(a.ctx), ErrLeaseLost, "the silent worker knows its lease is gone")
	}

	// Both finish; only the live worker's result counts.
	close(h.release)
	require.NoError(t, <-b.result)
	require.ErrorIs(t, <-a.result, ErrLeaseLost)

	jobs, err := qb.Jobs(ctx, "", 10)
	require.NoError(t, err)
	states := map[int64]string{}
	for _, j := range jobs {
		states[j.ID] = j.State
	}
	require.Equal(t, map[int64]string{a.job.ID: "discarded", b.job.ID: "completed"}, states)
	for _, j := range jobs {
		if j.ID == a.job.ID {
			require.Contains(t, j.LastError, "worker-a stopped sending heartbeats")
		}
	}
}

// TestStopReleasesJobsAtOnce: a stopping worker cancels its jobs and they
// run on another worker without waiting for any lease or timeout.
func TestStopReleasesJobsAtOnce(t *testing.T) {
	ctx := context.Background()
	open := sqliteBackend(t)
	h := &holdWorkers{release: make(chan struct{})}
	var qa, qb *Queue
	qa = open(t, "worker-a", h.register("worker-a", &qa))
	qb = open(t, "worker-b", h.register("worker-b", &qb))
	require.NoError(t, qa.Start(ctx))
	require.NoError(t, qa.InTx(ctx, func(tx *Tx) error {
		return tx.Insert(ctx, river.InsertManyParams{Args: holdArgs{Name: "stop"}})
	}))
	testutil.PollUntil(t, 10*time.Second, "worker A takes the job", func() bool { return len(h.attempts()) == 1 })
	require.NoError(t, qb.Start(ctx))
	t.Cleanup(func() { _ = qb.Stop(context.Background()) })

	stopped := time.Now()
	require.NoError(t, qa.Stop(ctx))
	require.Less(t, time.Since(stopped), 5*time.Second, "stop waited for the running job")
	a := h.attempts()[0]
	require.True(t, errors.Is(a.ctx.Err(), context.Canceled))
	testutil.PollUntil(t, 15*time.Second, "worker B runs the released job", func() bool { return len(h.attempts()) == 2 })
	t.Logf("released job ran again %.1f s after stop began", time.Since(stopped).Seconds())
	close(h.release)
	require.NoError(t, <-h.attempts()[1].result)
}

var _ rivertype.WorkerMiddleware = (*leaseMiddleware)(nil)

// TestHeartbeatsPruned: a starting worker forgets workers silent for a day
// (every process start adds a row), and keeps the others.
func TestHeartbeatsPruned(t *testing.T) {
	ctx := context.Background()
	db := migratedSQLite(t)
	_, err := db.Exec(`INSERT INTO worker_heartbeats (id, seen_at) VALUES ('gone', ?), ('recent', ?)`,
		time.Now().Add(-25*time.Hour).UnixMilli(), time.Now().Add(-time.Hour).UnixMilli())
	require.NoError(t, err)
	q, err := NewSQLite(db, catalog.New(db, nil), river.NewWorkers(), Config{Concurrency: 1, ID: "new"})
	require.NoError(t, err)
	require.NoError(t, q.leases.start(ctx))
	require.NoError(t, q.leases.stopAndRetire(ctx, nil))
	var ids []string
	rows, err := db.Query(`SELECT id FROM worker_heartbeats ORDER BY id`)
	require.NoError(t, err)
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"new", "recent"}, ids)
}

// TestOwnJobsNeverReaped: a process whose own heartbeat looks stale (a
// database too busy to take it in time) never requeues its own jobs, and on
// SQLite, where no other live process can take them, it finishes them.
func TestOwnJobsNeverReaped(t *testing.T) {
	ctx := context.Background()
	db := migratedSQLite(t)
	h := &holdWorkers{release: make(chan struct{})}
	var q *Queue
	q, err := NewSQLite(db, catalog.New(db, nil), h.register("solo", &q), Config{Concurrency: 1, ID: "solo", PollInterval: 200 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, q.Start(ctx))
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	require.NoError(t, q.InTx(ctx, func(tx *Tx) error {
		return tx.Insert(ctx, river.InsertManyParams{Args: holdArgs{Name: "solo"}})
	}))
	testutil.PollUntil(t, 10*time.Second, "the job starts", func() bool { return len(h.attempts()) == 1 })

	q.leases.stop()
	<-q.leases.done
	_, err = db.Exec(`UPDATE worker_heartbeats SET seen_at = 0`)
	require.NoError(t, err)
	q.leases.reap(ctx)
	close(h.release)
	require.NoError(t, <-h.attempts()[0].result, "the job completes on its own worker")
	require.Len(t, h.attempts(), 1)
}

// TestOrphanedRunningRowRequeued: a running row of this very worker that no
// job of it works (River could not record the outcome while the database
// was away) goes back to the queue; its live worker's heartbeat would
// otherwise keep it `running` until River's 2 h rescue.
func TestOrphanedRunningRowRequeued(t *testing.T) {
	ctx := context.Background()
	db := migratedSQLite(t)
	h := &holdWorkers{release: make(chan struct{})}
	close(h.release)
	var q *Queue
	q, err := NewSQLite(db, catalog.New(db, nil), h.register("solo", &q), Config{Concurrency: 1, ID: "solo", PollInterval: 200 * time.Millisecond})
	require.NoError(t, err)
	old := sqliteTimeString(time.Now().Add(-time.Minute))
	_, err = db.Exec(`INSERT INTO river_job (args, kind, max_attempts, state, attempt, attempted_at, attempted_by,
		queue, priority, scheduled_at, created_at) VALUES ('{"name":"orphan"}', 'hold', 3, 'running', 1, ?, jsonb('["solo"]'),
		'default', 1, ?, ?)`, old, old, old)
	require.NoError(t, err)
	require.NoError(t, q.Start(ctx))
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	testutil.PollUntil(t, 30*time.Second, "the orphaned job runs again", func() bool { return len(h.attempts()) == 1 })
	run := h.attempts()[0]
	require.NoError(t, <-run.result)
	require.Equal(t, 1, WorkersLost(run.job.JobRow))
}
