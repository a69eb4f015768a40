// FilterBar: search (titles, descriptions, tags) plus status chips. The
// chips scroll sideways on a phone rather than wrapping into several rows.
// Viewers only ever see ready videos, so they get no status chips.

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

/** VIEWER_FILTERS: someone who cannot upload only ever sees ready videos. */
export const VIEWER_FILTERS: { value: VideoStatus | ''; label: string }[] = []

export function FilterBar({
  status,
  query,
  onStatus,
  onQuery,
  statuses = FILTERS,
}: {
  status: VideoStatus | ''
  query: string
  statuses?: { value: VideoStatus | ''; label: string }[]
  onStatus: (s: VideoStatus | '') => void
  onQuery: (q: string) => void
}) {
  return (
    <div className="filter-bar">
      <label className="search">
        <Icon name="search" size={18} />
        <input type="search" placeholder="Search titles, descriptions, tags" value={query} onChange={(e) => onQuery(e.target.value)} aria-label="Search" />
      </label>
      {statuses.length > 0 && (
      <div className="chips" role="tablist" aria-label="Filter by status">
        {statuses.map((f) => (
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
      )}
    </div>
  )
}
