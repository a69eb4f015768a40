// WatchPage: the player once a video is ready, its processing state before
// that (it keeps polling, so the player appears by itself), share links,
// and for its owner or an admin, who may watch it. Signed-out visitors get
// here too: public and unlisted videos play for them, the rest is "not
// found", exactly as the server answers.

import { useRef } from 'react'
import { formatDate, formatDuration } from '../lib/format'
import { canEdit, useSession } from '../lib/session'
import { useLocation } from '../lib/router'
import { useTitle } from '../lib/title'
import { usePolledVideo } from '../lib/usePolledVideo'
import { EmptyState, LoadError } from '../components/EmptyState'
import { Link } from '../components/Link'
import { Player } from '../components/Player'
import { ProcessingView } from '../components/ProcessingView'
import { DetailsEditor } from '../components/DetailsEditor'
import { DownloadsBox } from '../components/DownloadsBox'
import { AudioTracksEditor, PosterEditor } from '../components/MediaEditor'
import { ShareBox } from '../components/ShareBox'
import { StatusBadge } from '../components/StatusBadge'
import { VisibilityEditor } from '../components/VisibilityEditor'
import { VisibilityTag } from '../components/VisibilityTag'

export function WatchPage({ id }: { id: string }) {
  const session = useSession()
  const { client, user } = session
  const { path } = useLocation()
  const { video, error, reload, update } = usePolledVideo(id, 1000)
  useTitle(video?.title || (error?.status === 404 ? 'Video not found' : undefined))
  // Every poll of a processing video signs fresh URLs: the player keeps the
  // first ones (they last the viewing session), so it is not restarted.
  const firstSrc = useRef<{ id: string; hls: string }>(undefined)
  const playable = !!video?.playback?.hls && (video.status === 'ready' || (video.status === 'processing' && !!video.playable_at))
  if (video && playable && firstSrc.current?.id !== video.id) firstSrc.current = { id: video.id, hls: video.playback!.hls }

  if (!video) {
    if (error?.status === 404) {
      return (
        <main className="page">
          <EmptyState icon="film" title="Video not found">
            {user ? (
              <>
                <p className="muted">It may have been deleted, or it is not shared with you.</p>
                <Link href="/" className="btn">
                  Back to library
                </Link>
              </>
            ) : (
              <>
                <p className="muted">It may have been deleted, or it is private. Signing in may show it.</p>
                <Link href={`/signin?next=${encodeURIComponent(path)}`} className="btn btn-primary">
                  Sign in
                </Link>
              </>
            )}
          </EmptyState>
        </main>
      )
    }
    if (error) {
      return (
        <main className="page">
          <LoadError what="this video" error={error} onRetry={() => reload()} />
        </main>
      )
    }
    return (
      <main className="page">
        <div className="player-skeleton skeleton" aria-busy="true" />
      </main>
    )
  }

  const ready = playable && firstSrc.current?.id === video.id
  const audio = video.kind === 'audio'
  const editable = canEdit(session, video)
  return (
    <main className="page page-watch">
      {ready ? (
        <Player
          key={firstSrc.current!.hls}
          videoId={video.id}
          src={firstSrc.current!.hls}
          poster={video.playback!.poster || undefined}
          storyboard={video.playback!.storyboard || undefined}
          audio={audio}
          title={video.title}
          duration={video.duration}
        />
      ) : (
        <div className="card not-ready">
          <ProcessingView
            video={video}
            showWatchLink={false}
            onRetry={editable ? async () => reload(await client.retryVideo(id)) : undefined}
          />
        </div>
      )}
      <div className="watch-meta">
        <h1 className="watch-title">{video.title || 'Untitled'}</h1>
        <div className="watch-facts">
          <StatusBadge status={video.status} playable={!!video.playable_at} />
          {user && <VisibilityTag visibility={video.visibility} />}
          {video.duration ? <span>{formatDuration(video.duration)}</span> : null}
          {video.width && video.height ? <span>{`${video.width}×${video.height}`}</span> : null}
          {audio && <span>Audio</span>}
          {editable && (
            <Link href={`/analytics/${encodeURIComponent(video.id)}`} className="watch-analytics">
              Analytics
            </Link>
          )}
          {video.created_at && <span title={new Date(video.created_at).toLocaleString()}>Added {formatDate(video.created_at)}</span>}
        </div>
        {video.tags && video.tags.length > 0 && (
          <ul className="chip-list tags" aria-label="Tags">
            {video.tags.map((t) => (
              <li key={t}>
                <Link href={`/?tag=${encodeURIComponent(t)}`} className="tag-chip">
                  #{t}
                </Link>
              </li>
            ))}
          </ul>
        )}
        {video.description && <p className="watch-description">{video.description}</p>}
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
      {/* The edit's answer carries freshly signed URLs. Keeping the old ones keeps the player playing,
          unless the video is now private or restricted: unsharing revokes URLs issued before it. */}
      {editable && (
        <VisibilityEditor
          key={video.id}
          video={video}
          onSaved={(v) => update({ ...v, playback: v.visibility === 'private' || v.visibility === 'restricted' ? v.playback : (video.playback ?? v.playback) })}
        />
      )}
      {editable && <DetailsEditor key={`details-${video.id}`} video={video} onSaved={(v) => update({ ...v, playback: video.playback ?? v.playback })} />}
      <DownloadsBox video={video} editable={editable} onSaved={(v) => update({ ...v, playback: video.playback ?? v.playback })} />
      {editable && video.status === 'ready' && !audio && (
        <>
          {/* Only the poster changes: the player keeps its URLs. */}
          <PosterEditor
            video={video}
            currentTime={() => window.__kinemaPlayer?.video.currentTime ?? 0}
            onSaved={(v) => update({ ...v, playback: video.playback && v.playback ? { ...video.playback, poster: v.playback.poster } : v.playback })}
          />
          <AudioTracksEditor video={video} />
        </>
      )}
      {ready && video.visibility !== 'private' && (
        <ShareBox video={video} editable={editable} currentTime={() => window.__kinemaPlayer?.video.currentTime ?? 0} />
      )}
    </main>
  )
}
