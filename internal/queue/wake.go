package queue

import (
	"context"
	"sync"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivershared/baseservice"
	"github.com/riverqueue/river/rivershared/riverpilot"
	"github.com/riverqueue/river/rivertype"
)

// Waking this process's workers when it makes a job available.
//
// On SQLite River only polls (Config.PollInterval): a job inserted in a
// transaction (Tx.Insert, which every pipeline step uses) waited up to a
// poll interval, 200 ms in kinema serve, before a worker fetched it, and a
// video's first frame waits for two such hops (probe, then its first
// chunk). River wakes its own producers after a non-transactional insert
// (Client.Insert) but keeps that hook out of its public API; it hands it to
// a driver's pilot (riverpilot.PilotInitParams.NotifyNonTxJobInsert), so
// the SQLite driver is wrapped in one that keeps it, and InTx calls it once
// the transaction has committed. The hook only acts for a driver without a
// listener, which the SQLite driver claims to have (it is never used in
// poll-only mode), so the wrapper says it has none; River then also hands
// its control events (job cancel, queue pause) to this process's workers at
// once, and logs once at start that it polls. It costs nothing while idle, unlike a
// shorter poll interval (every poll is a write transaction on SQLite, per
// queue). Other processes on the same SQLite file still find the job at
// their next poll; PostgreSQL uses LISTEN/NOTIFY and needs none of this.

// wakePilot is River's standard pilot that keeps the client's wake-up hook.
type wakePilot struct {
	riverpilot.StandardPilot
	mu     sync.Mutex
	notify func(ctx context.Context, res []*rivertype.JobInsertResult)
}

func (p *wakePilot) PilotInit(archetype *baseservice.Archetype, params *riverpilot.PilotInitParams) {
	p.StandardPilot.PilotInit(archetype, params)
	p.mu.Lock()
	p.notify = params.NotifyNonTxJobInsert
	p.mu.Unlock()
}

// wake makes this process's producers of queues fetch now (each at most
// once per River's FetchCooldown). Only after the jobs are committed.
func (p *wakePilot) wake(ctx context.Context, queues ...string) {
	p.mu.Lock()
	notify := p.notify
	p.mu.Unlock()
	if notify == nil || len(queues) == 0 {
		return
	}
	res := make([]*rivertype.JobInsertResult, len(queues))
	for i, q := range queues {
		res[i] = &rivertype.JobInsertResult{Job: &rivertype.JobRow{Queue: q}}
	}
	notify(ctx, res)
}

// wakeDriver is a River driver whose pilot is a wakePilot (River's plugin
// interface for drivers: PluginInit, PluginPilot).
type wakeDriver[TTx any] struct {
	riverdriver.Driver[TTx]
	pilot *wakePilot
}

func newWakeDriver[TTx any](d riverdriver.Driver[TTx]) *wakeDriver[TTx] {
	return &wakeDriver[TTx]{Driver: d, pilot: &wakePilot{}}
}

func (d *wakeDriver[TTx]) PluginInit(*baseservice.Archetype) {}

// SupportsListener is false: see above.
func (d *wakeDriver[TTx]) SupportsListener() bool { return false }

func (d *wakeDriver[TTx]) PluginPilot() riverpilot.Pilot { return d.pilot }

// jobQueues lists the queues of inserted jobs, once each.
func jobQueues(res []*rivertype.JobInsertResult) []string {
	var queues []string
	for _, r := range res {
		if r == nil || r.Job == nil || r.UniqueSkippedAsDuplicate {
			continue
		}
		seen := false
		for _, q := range queues {
			seen = seen || q == r.Job.Queue
		}
		if !seen {
			queues = append(queues, r.Job.Queue)
		}
	}
	return queues
}
