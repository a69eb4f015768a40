// FilterBar: title search plus status chips. The chips scroll sideways on a
// phone rather than wrapping into several rows.

import type { VideoStatus } from '../lib/api'
import { Icon } from './Icon'

export const FILTERS: { value: VideoStatus | ''; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'ready', label: 'Ready' },
  { value: 'processing', label: 'Processing' },
  { value: 'queued', label: 'Queued' },
  { value: 'failed', label: 'Failed' },
  { value: 'waiting_upload', label: 'Waiting upload' },
]

export function FilterBar({
  status,
  query,
  onStatus,
  onQuery,
}: {
  status: VideoStatus | ''
  query: string
  onStatus: (s: VideoStatus | '') => void
  onQuery: (q: string) => void
}) {
  return (
    <div className="filter-bar">
      <label className="search">
        <Icon name="search" size={18} />
        <input type="search" placeholder="Search titles" value={query} onChange={(e) => onQuery(e.target.value)} aria-label="Search titles" />
      </label>
      <div className="chips" role="tablist" aria-label="Filter by status">
        {FILTERS.map((f) => (
          <button
            key={f.value || 'all'}
            type="button"
            role="tab"
            aria-selected={status === f.value}
            className={`chip${status === f.value ? ' chip-active' : ''}`}
            onClick={() => onStatus(f.value)}
          >
            {f.label}
          </button>
        ))}
      </div>
    </div>
  )
}
