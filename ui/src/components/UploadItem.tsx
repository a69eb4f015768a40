// UploadItem is one row of the upload list: the byte transfer with speed and
// time left and pause/resume, then the server's processing state.

import type { UploadEntry } from '../lib/uploads'
import { formatBytes, formatPercent, formatSpeed, formatTimeLeft } from '../lib/format'
import { useSession } from '../lib/session'
import { Icon } from './Icon'
import { ProcessingStatus } from './ProcessingStatus'
import { ProgressBar } from './ProgressBar'

export function UploadItem({ entry }: { entry: UploadEntry }) {
  const { uploads } = useSession()
  const frac = entry.size > 0 ? entry.sent / entry.size : 0
  const transferring = entry.phase === 'uploading' || entry.phase === 'paused' || entry.phase === 'creating'

  return (
    <li className="upload-item" data-testid="upload-item" data-phase={entry.phase}>
      <div className="upload-head">
        <div className="upload-name" title={entry.name}>
          {entry.name}
        </div>
        <div className="upload-actions">
          {entry.phase === 'uploading' && (
            <button type="button" className="btn btn-small" onClick={() => uploads.pause(entry.key)}>
              Pause
            </button>
          )}
          {(entry.phase === 'paused' || entry.phase === 'error') && (
            <button type="button" className="btn btn-small btn-primary" onClick={() => uploads.resume(entry.key)}>
              {entry.phase === 'paused' ? 'Resume' : 'Retry'}
            </button>
          )}
          {entry.phase === 'processing' ? (
            <button type="button" className="icon-btn" aria-label="Dismiss" title="Dismiss" onClick={() => uploads.dismiss(entry.key)}>
              <Icon name="close" size={18} />
            </button>
          ) : (
            <button type="button" className="icon-btn" aria-label="Cancel upload" title="Cancel upload" onClick={() => void uploads.cancel(entry.key)}>
              <Icon name="close" size={18} />
            </button>
          )}
        </div>
      </div>

      {transferring || entry.phase === 'error' ? (
        <>
          <ProgressBar value={frac} label={`Uploading ${entry.name}`} tone={entry.phase === 'error' ? 'danger' : 'accent'} indeterminate={entry.phase === 'creating'} />
          <div className="upload-stats">
            {entry.phase === 'creating' && <span>Preparing…</span>}
            {entry.phase !== 'creating' && (
              <span>
                <strong data-testid="upload-percent">{formatPercent(frac)}</strong> · {formatBytes(entry.sent)} of {formatBytes(entry.size)}
                {entry.resumed && <span className="tag">resumed</span>}
              </span>
            )}
            {entry.phase === 'uploading' && entry.speed > 0 && (
              <span className="muted">
                {formatSpeed(entry.speed)} · {formatTimeLeft(entry.eta)}
              </span>
            )}
            {entry.phase === 'paused' && <span className="muted">Paused</span>}
          </div>
          {entry.error && <p className="error-text">{entry.error}</p>}
        </>
      ) : (
        entry.videoId && <ProcessingStatus id={entry.videoId} />
      )}
    </li>
  )
}
