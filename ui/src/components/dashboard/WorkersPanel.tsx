// WorkersPanel: the processes that work jobs, from their lease heartbeats:
// alive (heard from within the lease), silent (its jobs go to another
// worker) or stopped cleanly, and how many jobs each holds.

import type { WorkerInfo } from '../../lib/adminApi'
import { formatDateTime } from '../../lib/format'

export function WorkersPanel({ workers, leaseSeconds, now = new Date() }: { workers: WorkerInfo[]; leaseSeconds: number; now?: Date }) {
  const alive = workers.filter((w) => w.alive).length
  return (
    <section className="card dash-card" aria-label="Workers">
      <h2 className="section-title">
        Workers <span className="muted small">({alive} alive)</span>
      </h2>
      {workers.length === 0 ? (
        <p className="muted small">No process works jobs: start one with workers (KINEMA_WORKERS).</p>
      ) : (
        <ul className="job-list">
          {workers.map((w) => (
            <li key={w.id} className="job-row" data-testid="worker-row" data-alive={w.alive}>
              <span className={`dot ${w.alive ? 'dot-ok' : 'dot-off'}`} aria-hidden="true" />
              <div className="job-main">
                <strong className="mono-id">{w.id}</strong>
                <span className="muted small">{describe(w, leaseSeconds, now)}</span>
              </div>
              <span className="small">{w.running} running</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function describe(w: WorkerInfo, leaseSeconds: number, now: Date): string {
  if (!w.last_seen) return 'stopped'
  const ago = Math.max(0, Math.round((now.getTime() - Date.parse(w.last_seen)) / 1000))
  if (w.alive) return `alive · heartbeat ${ago} s ago`
  return `silent since ${formatDateTime(w.last_seen)} (over the ${leaseSeconds} s lease: its jobs went to other workers)`
}
