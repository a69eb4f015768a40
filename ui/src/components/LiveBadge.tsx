// LiveBadge: LIVE in red while a stream broadcasts, Idle before, Ended after.

import type { LiveStatus } from '../lib/api'
import { liveBadge } from '../lib/live'

export function LiveBadge({ status, reconnecting = false }: { status: LiveStatus; reconnecting?: boolean }) {
  const b = liveBadge(status)
  return (
    <span className={`badge badge-live-${b.tone}`} data-testid="live-badge" data-status={status}>
      {b.tone === 'live' && <span className="live-dot" aria-hidden="true" />}
      {b.label}
      {reconnecting && <span className="badge-note"> · reconnecting</span>}
    </span>
  )
}
