// ProcessingView shows where the server is with a video: queued, transcoding
// (live bar with ETA), ready, or failed with the reason and, for those who
// may retry (its owner or an admin: onRetry set), a Retry button.

import { useState } from 'react'
import type { Video } from '../lib/api'
import { formatPercent, formatTimeLeft } from '../lib/format'
import { Icon } from './Icon'
import { Link } from './Link'
import { ProgressBar } from './ProgressBar'

export function ProcessingView({
  video,
  onRetry,
  showWatchLink = true,
}: {
  video: Video
  onRetry?: () => Promise<void>
  showWatchLink?: boolean
}) {
  const [retrying, setRetrying] = useState(false)
  const [retryError, setRetryError] = useState('')

  const retry = async () => {
    if (!onRetry) return
    setRetrying(true)
    setRetryError('')
    try {
      await onRetry()
    } catch (err) {
      setRetryError(err instanceof Error ? err.message : String(err))
    } finally {
      setRetrying(false)
    }
  }

  switch (video.status) {
    case 'ready':
      return (
        <div className="processing processing-ready" data-testid="processing" data-status="ready">
          <ProgressBar value={1} label="Processing complete" tone="success" />
          <div className="processing-line">
            <span className="ok">Ready to watch</span>
            {showWatchLink && (
              <Link className="btn btn-primary btn-small" href={`/watch/${encodeURIComponent(video.id)}`}>
                <Icon name="play" size={16} /> Watch
              </Link>
            )}
          </div>
        </div>
      )
    case 'failed':
      return (
        <div className="processing processing-failed" data-testid="processing" data-status="failed">
          <ProgressBar value={1} label="Processing failed" tone="danger" />
          <div className="processing-line">
            <span className="error-text" data-testid="failure-reason">
              {video.error || 'Processing failed.'}
            </span>
            {onRetry && (
              <button type="button" className="btn btn-small" onClick={retry} disabled={retrying}>
                <Icon name="retry" size={16} /> {retrying ? 'Retrying…' : 'Retry'}
              </button>
            )}
          </div>
          {retryError && <p className="error-text">{retryError}</p>}
        </div>
      )
    case 'processing': {
      const p = video.progress ?? 0
      const eta = formatTimeLeft(video.eta_seconds)
      return (
        <div className="processing" data-testid="processing" data-status="processing">
          <ProgressBar value={p} label="Processing" tone="processing" />
          <div className="processing-line">
            <span>
              Processing <strong data-testid="processing-percent">{formatPercent(p)}</strong>
            </span>
            <span className="muted">{eta}</span>
          </div>
        </div>
      )
    }
    default:
      return (
        <div className="processing" data-testid="processing" data-status={video.status}>
          <ProgressBar value={0} label="Waiting" tone="processing" indeterminate />
          <div className="processing-line">
            <span>{video.status === 'queued' ? 'Queued for processing…' : 'Finishing upload…'}</span>
          </div>
        </div>
      )
  }
}
