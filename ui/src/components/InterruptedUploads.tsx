// InterruptedUploads lists uploads cut off by a reload or a closed tab.
// Browsers cannot reopen files on their own, so the user picks the file again
// and the manager resumes at the server's offset.

import type { ResumeRecord } from '../lib/resumeStore'
import { formatBytes, formatPercent } from '../lib/format'

export function InterruptedUploads({
  records,
  onPick,
  onDiscard,
}: {
  records: ResumeRecord[]
  onPick: () => void
  onDiscard: (r: ResumeRecord) => void
}) {
  if (records.length === 0) return null
  return (
    <section className="card interrupted" aria-label="Interrupted uploads">
      <h2 className="section-title">Interrupted uploads</h2>
      <p className="muted">Choose the same file again to continue where it stopped.</p>
      <ul className="interrupted-list">
        {records.map((r) => (
          <li key={r.fileKey}>
            <span className="upload-name" title={r.name}>
              {r.name}
            </span>
            <span className="muted">
              {formatPercent(r.size ? r.sent / r.size : 0)} of {formatBytes(r.size)}
            </span>
            <span className="interrupted-actions">
              <button type="button" className="btn btn-small btn-primary" onClick={onPick}>
                Choose file
              </button>
              <button type="button" className="btn btn-small btn-ghost" onClick={() => onDiscard(r)}>
                Discard
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  )
}
