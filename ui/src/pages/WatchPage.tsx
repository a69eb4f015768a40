// WatchPage: the player once a video is ready, its processing state before
// that (it keeps polling, so the player appears by itself), and share links.

import { formatDate, formatDuration } from '../lib/format'
import { useSession } from '../lib/session'
import { usePolledVideo } from '../lib/usePolledVideo'
import { EmptyState } from '../components/EmptyState'
import { Link } from '../components/Link'
import { Player } from '../components/Player'
import { ProcessingView } from '../components/ProcessingView'
import { ShareBox } from '../components/ShareBox'
import { StatusBadge } from '../components/StatusBadge'

export function WatchPage({ id }: { id: string }) {
  const { client } = useSession()
  const { video, error, reload } = usePolledVideo(id, 1000)

  if (!video) {
    if (error?.status === 404) {
      return (
        <main className="page">
          <EmptyState icon="film" title="Video not found">
            <p className="muted">It may have been deleted.</p>
            <Link href="/" className="btn">
              Back to library
            </Link>
          </EmptyState>
        </main>
      )
    }
    if (error) {
      return (
        <main className="page">
          <EmptyState icon="close" tone="error" title="Could not load this video">
            <p>{error.message}</p>
            <button type="button" className="btn" onClick={() => reload()}>
              Try again
            </button>
          </EmptyState>
        </main>
      )
    }
    return (
      <main className="page">
        <div className="player-skeleton skeleton" aria-busy="true" />
      </main>
    )
  }

  const ready = video.status === 'ready' && video.playback?.hls
  const audio = video.kind === 'audio'
  return (
    <main className="page page-watch">
      {ready ? (
        <Player
          key={video.playback!.hls}
          src={video.playback!.hls}
          poster={video.playback!.poster || undefined}
          storyboard={video.playback!.storyboard || undefined}
          audio={audio}
          title={video.title}
          duration={video.duration}
        />
      ) : (
        <div className="card not-ready">
          <ProcessingView video={video} showWatchLink={false} onRetry={async () => reload(await client.retryVideo(id))} />
        </div>
      )}
      <div className="watch-meta">
        <h1 className="watch-title">{video.title || 'Untitled'}</h1>
        <div className="watch-facts">
          <StatusBadge status={video.status} />
          {video.duration ? <span>{formatDuration(video.duration)}</span> : null}
          {video.width && video.height ? <span>{`${video.width}×${video.height}`}</span> : null}
          {audio && <span>Audio</span>}
          {video.created_at && <span>Added {formatDate(video.created_at)}</span>}
        </div>
        {video.renditions && video.renditions.length > 0 && (
          <ul className="renditions" aria-label="Renditions">
            {video.renditions.map((r) => (
              <li key={r.id}>
                {r.type === 'audio' ? 'Audio' : r.height ? `${r.height}p` : r.id}
                {r.bitrate ? <span className="muted"> · {Math.round(r.bitrate / 1000)} kbps</span> : null}
              </li>
            ))}
          </ul>
        )}
      </div>
      {ready && <ShareBox video={video} />}
    </main>
  )
}
