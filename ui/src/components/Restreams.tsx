// Restreams: the stream page's RTMP destinations (YouTube, Twitch, another
// server). The URL with its stream key is typed once; afterwards the server
// only ever answers it masked. Each destination shows what the ingest node
// reports: connecting, live, or an error sentence while it retries.

import { useState, type FormEvent } from 'react'
import { type LiveRestream, type LiveStream } from '../lib/api'
import { useSession } from '../lib/session'
import { errorText } from '../lib/errors'

const STATUS_LABEL: Record<LiveRestream['status'], string> = {
  idle: 'Waiting for the broadcast',
  connecting: 'Connecting…',
  live: 'Live',
  error: 'Error',
}

export function Restreams({ stream, onChange }: { stream: LiveStream; onChange: () => void }) {
  const { client } = useSession()
  const [name, setName] = useState('')
  const [url, setUrl] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const list = stream.restreams ?? []
  if (stream.status === 'ended' && list.length === 0) return null

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true)
    setError('')
    try {
      await fn()
      onChange()
      return true
    } catch (err) {
      setError(errorText(err, 'The request failed.'))
      return false
    } finally {
      setBusy(false)
    }
  }
  const add = async (e: FormEvent) => {
    e.preventDefault()
    if (await run(() => client.addRestream(stream.id, name.trim(), url.trim()))) {
      setName('')
      setUrl('')
    }
  }
  return (
    <section className="card restreams" aria-label="Restreaming" data-testid="restreams">
      <h2 className="section-title">Restream to other platforms</h2>
      <p className="muted small">
        The broadcast is forwarded as received (no second encode) to each RTMP destination; one that fails is retried and
        does not affect the others.
      </p>
      {list.length > 0 && (
        <ul className="restream-list">
          {list.map((d) => (
            <li key={d.id} data-testid="restream" data-status={d.status}>
              <div className="restream-main">
                <strong>{d.name}</strong> <code className="restream-url">{d.url}</code>
              </div>
              <span className={`badge restream-${d.status}`} data-testid="restream-status">
                {STATUS_LABEL[d.status] ?? d.status}
              </span>
              <button
                type="button"
                className="btn btn-small"
                disabled={busy}
                aria-label={`Remove ${d.name}`}
                onClick={() => void run(() => client.removeRestream(stream.id, d.id))}
              >
                Remove
              </button>
              {d.status === 'error' && d.error && <p className="error-text small">{d.error}</p>}
            </li>
          ))}
        </ul>
      )}
      {stream.status !== 'ended' && (
        <form className="copy-row restream-form" onSubmit={add}>
          <input
            className="input"
            aria-label="Destination name"
            placeholder="Name (YouTube)"
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
          />
          <input
            className="input"
            aria-label="Destination URL"
            placeholder="rtmp://a.rtmp.youtube.com/live2/STREAM-KEY"
            value={url}
            required
            autoComplete="off"
            onChange={(e) => setUrl(e.target.value)}
          />
          <button type="submit" className="btn btn-small" disabled={busy || !url.trim()} data-testid="add-restream">
            Add
          </button>
        </form>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}
