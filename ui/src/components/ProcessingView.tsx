// ProcessingView shows where the server is with a video: queued, transcoding
// (live bar with ETA), ready, or failed with the reason and, for those who
// may retry (its owner or an admin: onRetry set), a Retry button, unless the
// file itself is at fault (the server says retryable: false).

import { useRef, useState } from 'react'
import type { Video } from '../lib/api'
import { formatPercent, formatTimeLeft } from '../lib/format'
import { Icon } from './Icon'
import { Link } from './Link'
import { ProgressBar } from './ProgressBar'
import { errorText } from '../lib/errors'

export function ProcessingView({
  video,
  onRetry,
  showWatchLink = true,
}: {
  video: Video
  onRetry?: () => Promise<void>
  showWatchLink?: boolean
}) {
  const eta = useSmoothedEta(video.status === 'processing' ? video.eta_seconds : undefined, video.progress ?? 0)
  const [retrying, setRetrying] = useState(false)
  const [retryError, setRetryError] = useState('')

  const retry = async () => {
    if (!onRetry) return
    setRetrying(true)
    setRetryError('')
    try {
      await onRetry()
    } catch (err) {
      setRetryError(errorText(err))
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
            {/* A file that is not media (retryable false) would fail again: no Retry. */}
            {onRetry && video.retryable !== false && (
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
      const left = formatTimeLeft(eta)
      return (
        <div className="processing" data-testid="processing" data-status="processing">
          <ProgressBar value={p} label="Processing" tone="processing" />
          <div className="processing-line">
            <span>
              {video.playable_at ? 'Playable, still processing' : 'Processing'}{' '}
              <strong data-testid="processing-percent">{formatPercent(p)}</strong>
            </span>
            <span className="muted" data-testid="eta">{left}</span>
            {video.playable_at && showWatchLink && (
              <Link className="btn btn-primary btn-small" href={`/watch/${encodeURIComponent(video.id)}`}>
                <Icon name="play" size={16} /> Watch
              </Link>
            )}
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

/**
 * useSmoothedEta steadies the server's estimate, which early on swings
 * (32 s, then 2 min at 3 %): nothing is shown before 5 % progress, and
 * after that each new estimate moves the shown one only part of the way,
 * counting down in between.
 */
export function useSmoothedEta(eta: number | null | undefined, progress: number): number | undefined {
  const state = useRef<{ value: number; at: number } | undefined>(undefined)
  if (eta == null || !Number.isFinite(eta) || progress < 0.05) {
    if (eta == null) state.current = undefined
    return undefined
  }
  const now = Date.now()
  const prev = state.current
  if (!prev) {
    state.current = { value: eta, at: now }
    return eta
  }
  const counted = Math.max(prev.value - (now - prev.at) / 1000, 0)
  // Heavier weight on the server as processing goes on: its estimate gets better.
  const w = Math.min(0.2 + progress * 0.6, 0.8)
  const value = counted + w * (eta - counted)
  state.current = { value, at: now }
  return value
}
