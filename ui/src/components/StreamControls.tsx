// StreamControls: what the streamer manages on the stream page. Ending and
// rotating the key ask once more inline (the button turns into "End now?"),
// like deleting a video; the SRT passphrase is set or removed in place.

import { useState, type FormEvent } from 'react'
import { type LiveStream } from '../lib/api'
import { navigate } from '../lib/router'
import { useSession } from '../lib/session'
import { errorText } from '../lib/errors'

export function StreamControls({ stream, onChange }: { stream: LiveStream; onChange: (st: LiveStream) => void }) {
  const { client } = useSession()
  const [confirming, setConfirming] = useState<'' | 'end' | 'key'>('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [passphrase, setPassphrase] = useState(stream.srt_passphrase ?? '')

  const run = async (fn: () => Promise<LiveStream>) => {
    setBusy(true)
    setError('')
    try {
      onChange(await fn())
    } catch (err) {
      setError(errorText(err, 'The request failed.'))
    } finally {
      setBusy(false)
      setConfirming('')
    }
  }
  const ask = (what: 'end' | 'key', fn: () => Promise<LiveStream>) => {
    if (confirming !== what) {
      setConfirming(what)
      return
    }
    void run(fn)
  }
  const savePassphrase = (e: FormEvent) => {
    e.preventDefault()
    void run(() => client.setLivePassphrase(stream.id, passphrase.trim()))
  }
  if (stream.status === 'ended') return null
  return (
    <section className="card stream-controls" aria-label="Stream controls">
      <div className="copy-row">
        <button
          type="button"
          className={`btn${confirming === 'end' ? ' btn-danger' : ''}`}
          disabled={busy}
          onClick={() => ask('end', () => client.endLive(stream.id))}
          data-testid="end-stream"
        >
          {confirming === 'end' ? 'End now?' : 'End stream'}
        </button>
        <button
          type="button"
          className={`btn${confirming === 'key' ? ' btn-danger' : ''}`}
          disabled={busy}
          onClick={() => ask('key', () => client.rotateLiveKey(stream.id))}
          data-testid="rotate-key"
        >
          {confirming === 'key' ? 'Replace the key?' : 'New stream key'}
        </button>
      </div>
      <p className="muted small">
        Ending stops the broadcast for good and saves the recording. A new key stops the old one from working; update your
        encoder.
      </p>
      <form className="copy-row" onSubmit={savePassphrase}>
        <label className="field-label" htmlFor="srt-passphrase">
          SRT passphrase
        </label>
        <input
          id="srt-passphrase"
          className="input"
          placeholder="10 to 79 characters; empty: no encryption"
          value={passphrase}
          maxLength={79}
          onChange={(e) => setPassphrase(e.target.value)}
        />
        <button type="submit" className="btn btn-small" disabled={busy}>
          Save
        </button>
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}

/**
 * DeleteStream removes an ended stream and its live output; the recording is
 * a video of its own and stays.
 */
export function DeleteStream({ stream }: { stream: LiveStream }) {
  const { client } = useSession()
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState('')
  if (stream.status !== 'ended') return null
  const del = async () => {
    if (!confirming) {
      setConfirming(true)
      return
    }
    try {
      await client.deleteLive(stream.id)
      navigate('/streams')
    } catch (err) {
      setError(errorText(err, 'The request failed.'))
      setConfirming(false)
    }
  }
  return (
    <section className="card stream-controls" aria-label="Delete stream">
      <div className="copy-row">
        <button type="button" className={`btn${confirming ? ' btn-danger' : ''}`} onClick={() => void del()} data-testid="delete-stream">
          {confirming ? 'Delete now?' : 'Delete stream'}
        </button>
      </div>
      <p className="muted small">Deletes the stream and its live segments. The recording stays in your videos.</p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}

/** StreamHealth shows what the ingest node measured while live. */
export function StreamHealth({ stream }: { stream: LiveStream }) {
  const h = stream.health
  if (stream.status !== 'live' || !h) return null
  return (
    <dl className="stream-health" data-testid="stream-health" aria-label="Stream health">
      <div>
        <dt>Input</dt>
        <dd>{(h.input_bitrate / 1e6).toFixed(1)} Mbit/s</dd>
      </div>
      <div>
        <dt>Frame rate</dt>
        <dd>{h.fps.toFixed(0)} fps</dd>
      </div>
      <div>
        <dt>Viewers</dt>
        <dd>{h.viewers}</dd>
      </div>
      <div>
        <dt>Dropped</dt>
        <dd>{h.dropped_frames} frames</dd>
      </div>
      {h.lag >= 1 && (
        <div>
          <dt>Behind</dt>
          <dd>{h.lag.toFixed(1)} s</dd>
        </div>
      )}
    </dl>
  )
}
