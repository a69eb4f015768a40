// StreamPage: one live stream. Before the broadcast it shows where to
// publish; while live, the player; afterwards, a link to the recording. It
// polls every POLL_MS, so each of those appears by itself.

import { useEffect, useState } from 'react'
import type { LiveStream } from '../lib/api'
import { formatDateTime } from '../lib/format'
import { usePolledLive } from '../lib/usePolledLive'
import { EmptyState } from '../components/EmptyState'
import { LiveBadge } from '../components/LiveBadge'
import { LivePlayer } from '../components/LivePlayer'
import { Link } from '../components/Link'
import { PublishInfo } from '../components/PublishInfo'
import { DeleteStream, StreamControls, StreamHealth } from '../components/StreamControls'
import { Restreams } from '../components/Restreams'
import { useSession } from '../lib/session'
import { heightLabel } from '../lib/quality'
import { LiveOff } from './LivePage'

export function StreamPage({ id }: { id: string }) {
  const { stream, error, setStream } = usePolledLive(id)
  const { client } = useSession()
  // Every poll signs fresh playback URLs; the player keeps the first one so
  // a new token does not restart playback.
  // Low-Latency HLS when the stream offers it (hls.js low-latency mode).
  const [src, setSrc] = useState('')
  const [lowLatency, setLowLatency] = useState(false)
  const ll = stream?.status === 'live' ? stream.playback?.ll_hls : undefined
  const hls = stream?.status === 'live' ? ll || stream.playback?.hls : undefined
  useEffect(() => {
    if (hls && !src) {
      setSrc(hls)
      setLowLatency(!!ll)
    }
  }, [hls, ll, src])

  if (!stream) {
    if (error?.status === 404) {
      return (
        <main className="page">
          <EmptyState icon="film" title="Live stream not found">
            <Link href="/streams" className="btn">
              Back to live streams
            </Link>
          </EmptyState>
        </main>
      )
    }
    if (error?.code === 'live_off') {
      return (
        <main className="page page-narrow">
          <LiveOff message={error.message} />
        </main>
      )
    }
    if (error) {
      return (
        <main className="page">
          <EmptyState icon="close" tone="error" title="Could not load this live stream">
            <p>{error.message}</p>
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

  return (
    <main className="page page-watch">
      <Stage stream={stream} src={src} lowLatency={lowLatency} />
      <div className="watch-meta">
        <h1 className="watch-title">{stream.title || 'Untitled live stream'}</h1>
        <div className="watch-facts">
          <LiveBadge status={stream.status} reconnecting={stream.status === 'live' && !stream.connected} />
          {stream.started_at && <span>Started {formatDateTime(stream.started_at)}</span>}
          {stream.ended_at && <span>Ended {formatDateTime(stream.ended_at)}</span>}
          {stream.renditions && stream.renditions.length > 0 && (
            <span>{stream.renditions.filter((r) => r.height).map((r) => heightLabel(r.height!)).join(' · ')}</span>
          )}
        </div>
        <StreamHealth stream={stream} />
        {stream.error && (
          <p className="error-text" role="alert" data-testid="live-error">
            {stream.error}
          </p>
        )}
      </div>
      {stream.status !== 'ended' && <PublishInfo stream={stream} />}
      <StreamControls stream={stream} onChange={setStream} />
      <Restreams
        stream={stream}
        onChange={() =>
          void client
            .getLive(stream.id)
            .then(setStream)
            .catch(() => undefined)
        }
      />
      <DeleteStream stream={stream} />
    </main>
  )
}

function Stage({ stream, src, lowLatency }: { stream: LiveStream; src: string; lowLatency: boolean }) {
  if (stream.status === 'live' && src) return <LivePlayer src={src} title={stream.title} lowLatency={lowLatency} />
  if (stream.status === 'ended') {
    return (
      <div className="card live-stage" data-testid="live-ended">
        <h2 className="section-title">This broadcast has ended</h2>
        {stream.video_id ? (
          <Link href={`/watch/${encodeURIComponent(stream.video_id)}`} className="btn btn-primary">
            Watch the recording
          </Link>
        ) : (
          <p className="muted">The recording is being saved as a video…</p>
        )}
      </div>
    )
  }
  return (
    <div className="card live-stage" data-testid="live-idle">
      <h2 className="section-title">Waiting for the broadcast</h2>
      <p className="muted">Start streaming to the address below; the player appears here a few seconds after your encoder connects.</p>
    </div>
  )
}
