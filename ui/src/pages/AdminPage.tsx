// AdminPage (/admin, admins): the server at a glance. Jobs by kind with
// the failed ones to retry, the workers alive, encode throughput over
// time, storage per prefix and per owner, webhooks and per-user quotas.
// The queue refreshes every 5 s; Refresh reloads everything.

import { useCallback, useEffect, useMemo, useState } from 'react'
import { JobsPanel } from '../components/dashboard/JobsPanel'
import { QuotasPanel } from '../components/dashboard/QuotasPanel'
import { StoragePanel } from '../components/dashboard/StoragePanel'
import { ThroughputPanel } from '../components/dashboard/ThroughputPanel'
import { WebhooksPanel } from '../components/dashboard/WebhooksPanel'
import { WorkersPanel } from '../components/dashboard/WorkersPanel'
import { jobTable } from '../lib/admin'
import type { JobOverview } from '../lib/adminApi'
import { useSession } from '../lib/session'
import { errorText } from '../lib/errors'
import { useLoad } from '../lib/useLoad'

/** POLL_MS: how often the queue figures refresh while the page is open. */
export const POLL_MS = 5000

export function AdminPage() {
  const { client } = useSession()
  const [epoch, setEpoch] = useState(0)
  const [tick, setTick] = useState(0)
  const refresh = useCallback(() => setTick((n) => n + 1), [])

  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((n) => n + 1)
    }, POLL_MS)
    return () => clearInterval(t)
  }, [])
  const [overview, failed] = useLoad<JobOverview>((signal) => client.jobsOverview(signal), [client, tick, epoch])
  const error = errorText(failed)

  const total = useMemo(() => (overview ? jobTable(overview).total : undefined), [overview])
  const alive = overview?.workers.filter((w) => w.alive).length ?? 0
  return (
    <main className="page page-admin">
      <div className="page-head">
        <h1 className="page-title">Admin dashboard</h1>
        <button type="button" className="btn btn-small" onClick={() => setEpoch((n) => n + 1)}>
          Refresh
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {!overview && !error && <div className="skeleton chart-skeleton" aria-busy="true" />}
      {overview && total && (
        <>
          <div className="stat-tiles">
            <Tile label="Running" value={total.running} testId="stat-running" />
            <Tile label="Waiting" value={total.waiting + total.retrying} testId="stat-waiting" />
            <Tile label="Failed" value={total.failed} testId="stat-failed" tone={total.failed ? 'error-text' : ''} />
            <Tile label="Workers alive" value={alive} testId="stat-workers" tone={alive ? '' : 'error-text'} />
          </div>
          <div className="dash-grid">
            <JobsPanel client={client} overview={overview} onChanged={refresh} />
            <WorkersPanel workers={overview.workers} leaseSeconds={overview.lease_seconds} />
          </div>
        </>
      )}
      <ThroughputPanel client={client} epoch={epoch} />
      <div className="dash-grid">
        <StoragePanel client={client} epoch={epoch} />
        <QuotasPanel client={client} epoch={epoch} />
      </div>
      <WebhooksPanel client={client} />
    </main>
  )
}

function Tile({ label, value, testId, tone = '' }: { label: string; value: number; testId: string; tone?: string }) {
  return (
    <div className="stat card">
      <div className="stat-label muted">{label}</div>
      <div className={`stat-value ${tone}`} data-testid={testId}>
        {value}
      </div>
    </div>
  )
}
