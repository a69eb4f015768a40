// VideoCard is one tile of the library grid. Deleting takes two clicks (the
// button turns into "Delete?") instead of a blocking confirm() dialog, and
// is only offered to whoever may delete (onDelete set).

import { useEffect, useState } from 'react'
import type { Video } from '../lib/api'
import { formatDate, formatDateTime, formatDuration, formatPercent } from '../lib/format'
import { uploadExpiry } from '../lib/uploadExpiry'
import { Icon } from './Icon'
import { Link } from './Link'
import { StatusBadge } from './StatusBadge'
import { VisibilityTag } from './VisibilityTag'

export function VideoCard({
  video,
  onDelete,
  selected,
  onSelect,
}: {
  video: Video
  onDelete?: (v: Video) => Promise<void>
  /** Bulk selection, for videos the user may change. */
  selected?: boolean
  onSelect?: (on: boolean) => void
}) {
  const [confirming, setConfirming] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const [posterFailed, setPosterFailed] = useState(false)
  const href = `/watch/${encodeURIComponent(video.id)}`
  const poster = video.playback?.poster
  const audio = video.kind === 'audio'
  const expiry = video.status === 'waiting_upload' ? uploadExpiry(video.upload) : ''

  // Un-arm the delete button if the user walks away from it.
  useEffect(() => {
    if (!confirming) return
    const t = setTimeout(() => setConfirming(false), 4000)
    return () => clearTimeout(t)
  }, [confirming])

  const del = async () => {
    if (!confirming) {
      setConfirming(true)
      return
    }
    setDeleting(true)
    try {
      await onDelete?.(video)
    } finally {
      setDeleting(false)
      setConfirming(false)
    }
  }

  return (
    <article className={`video-card${selected ? ' is-selected' : ''}`} data-testid="video-card" data-status={video.status}>
      {onSelect && (
        <label className="card-select" title="Select">
          <input type="checkbox" checked={!!selected} onChange={(e) => onSelect(e.target.checked)} aria-label={`Select ${video.title}`} />
        </label>
      )}
      <Link href={href} className="thumb" aria-label={`Open ${video.title}`}>
        {poster && !posterFailed ? (
          <img src={poster} alt="" loading="lazy" onError={() => setPosterFailed(true)} />
        ) : (
          <div className={`thumb-placeholder${audio ? ' thumb-audio' : ''}`}>
            <Icon name={audio ? 'music' : 'film'} size={36} />
          </div>
        )}
        {video.status === 'ready' && video.duration ? <span className="duration">{formatDuration(video.duration)}</span> : null}
        {video.status === 'processing' && (
          <span className="thumb-progress" style={{ width: formatPercent(video.progress) }} />
        )}
      </Link>
      <div className="card-body">
        <Link href={href} className="card-title" title={video.title}>
          {video.title || 'Untitled'}
        </Link>
        <div className="card-meta">
          <StatusBadge status={video.status} playable={!!video.playable_at} />
          <VisibilityTag visibility={video.visibility} />
          {video.created_at && (
            <time className="muted card-date" dateTime={video.created_at} title={formatDateTime(video.created_at)}>
              {formatDate(video.created_at)}
            </time>
          )}
          {onDelete && (
            <button
              type="button"
              className={`icon-btn card-delete${confirming ? ' confirming' : ''}`}
              aria-label={confirming ? `Confirm delete ${video.title}` : `Delete ${video.title}`}
              title={confirming ? 'Click again to delete' : 'Delete'}
              onClick={del}
              disabled={deleting}
            >
              <Icon name="trash" size={18} />
              {confirming && <span>Delete?</span>}
            </button>
          )}
        </div>
        {expiry && (
          <p className="muted card-expiry" data-testid="upload-expiry">
            {expiry}
          </p>
        )}
      </div>
    </article>
  )
}
