// LivePage: start a live stream and see every stream with its status. The
// list reloads every POLL_MS so badges turn LIVE when a publisher connects.

import { useEffect, useState, type FormEvent } from 'react'
import { ApiError, asApiError, type LiveStream } from '../lib/api'
import { formatDate } from '../lib/format'
import { POLL_MS } from '../lib/live'
import { navigate } from '../lib/router'
import { useSession } from '../lib/session'
import { EmptyState, LoadError } from '../components/EmptyState'
import { LiveBadge } from '../components/LiveBadge'
import { Link } from '../components/Link'
import { errorText } from '../lib/errors'

export function streamPath(id: string): string {
  return `/streams/${encodeURIComponent(id)}`
}

/** LiveOff explains how to turn live streaming on when the server runs without ingest. */
export function LiveOff({ message }: { message: string }) {
  return (
    <section className="card live-off" role="status" data-testid="live-off">
      <h2>Live streaming is off on this server</h2>
      <p>{message}</p>
      <p className="muted small">
        An administrator turns it on by starting <code>kinema serve</code> with its default ingest ports (SRT{' '}
        <code>:9710</code>, RTMP <code>:1935</code>), or with <code>--srt-addr</code> / <code>--rtmp-addr</code>{' '}
        (<code>KINEMA_SRT_ADDR</code>, <code>KINEMA_RTMP_ADDR</code>), on a machine with ffmpeg (libx264). The server log
        says why ingest did not start.
      </p>
    </section>
  )
}

export function LivePage() {
  const { client } = useSession()
  const [streams, setStreams] = useState<LiveStream[]>()
  const [error, setError] = useState<ApiError>()
  const [epoch, setEpoch] = useState(0)
  const [title, setTitle] = useState('')
  const [creating, setCreating] = useState(false)
  const [createError, setCreateError] = useState('')

  useEffect(() => {
    const ctrl = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async () => {
      try {
        setStreams(await client.listLive(ctrl.signal))
        setError(undefined)
      } catch (err) {
        if (ctrl.signal.aborted) return
        setError(asApiError(err))
        if (err instanceof ApiError && err.status === 401) return
      }
      timer = setTimeout(load, POLL_MS)
    }
    void load()
    return () => {
      ctrl.abort()
      clearTimeout(timer)
    }
  }, [client, epoch])

  const create = async (e: FormEvent) => {
    e.preventDefault()
    setCreating(true)
    setCreateError('')
    try {
      const st = await client.createLive(title.trim())
      navigate(streamPath(st.id))
    } catch (err) {
      if (err instanceof ApiError && err.code === 'live_off') {
        setError(err)
      } else {
        setCreateError(errorText(err, 'Could not create the stream.'))
      }
      setCreating(false)
    }
  }

  if (error?.code === 'live_off') {
    return (
      <main className="page page-narrow">
        <h1 className="page-title">Live</h1>
        <LiveOff message={error.message} />
      </main>
    )
  }

  return (
    <main className="page page-narrow">
      <h1 className="page-title">Live</h1>
      <form className="card live-create" onSubmit={create}>
        <label className="field-label" htmlFor="live-title">
          New live stream
        </label>
        <div className="copy-row">
          <input
            id="live-title"
            className="input"
            placeholder="Title, e.g. Friday stand-up"
            value={title}
            maxLength={300}
            onChange={(e) => setTitle(e.target.value)}
          />
          <button type="submit" className="btn btn-primary" disabled={creating}>
            Create stream
          </button>
        </div>
        {createError && (
          <p className="error-text" role="alert">
            {createError}
          </p>
        )}
        <p className="muted small">You get a stream key and SRT/RTMP addresses for OBS or ffmpeg. A stream carries one broadcast; its recording becomes a video.</p>
      </form>

      {error && !streams ? (
        <LoadError what="live streams" error={error} onRetry={() => setEpoch((n) => n + 1)} />
      ) : !streams ? (
        <div className="live-list skeleton" aria-busy="true" style={{ minHeight: 120 }} />
      ) : streams.length === 0 ? (
        <EmptyState icon="film" title="No live streams yet">
          <p className="muted">Create one above, then point your encoder at it.</p>
        </EmptyState>
      ) : (
        <ul className="live-list" aria-label="Live streams">
          {streams.map((s) => (
            <li key={s.id} className="live-item" data-testid="live-item" data-status={s.status}>
              <Link href={streamPath(s.id)} className="live-item-title">
                {s.title || 'Untitled live stream'}
              </Link>
              <LiveBadge status={s.status} reconnecting={s.status === 'live' && !s.connected} />
              <span className="muted small">{formatDate(s.started_at || s.created_at)}</span>
              {s.status === 'ended' && s.video_id && (
                <Link href={`/watch/${encodeURIComponent(s.video_id)}`} className="small">
                  Recording
                </Link>
              )}
            </li>
          ))}
        </ul>
      )}
    </main>
  )
}
