// PublishInfo: where to send a broadcast. The stream key is a password for
// the stream, so it and the URLs that carry it are masked until revealed;
// Copy always copies the real value.

import { useState } from 'react'
import type { LiveStream } from '../lib/api'
import { maskKey, maskSecret, obsSettings } from '../lib/live'
import { CopyField } from './CopyField'

export function PublishInfo({ stream }: { stream: LiveStream }) {
  const [revealed, setRevealed] = useState(false)
  const key = stream.stream_key
  const show = (v: string) => (revealed ? v : maskSecret(v, key))
  const obs = obsSettings(stream.rtmp_url, key)
  return (
    <section className="card publish" aria-label="Publish">
      <div className="publish-head">
        <h2 className="section-title">Go live</h2>
        <button type="button" className="btn btn-small" onClick={() => setRevealed((r) => !r)} aria-pressed={revealed}>
          {revealed ? 'Hide key' : 'Reveal key'}
        </button>
      </div>
      <p className="muted small">Anyone with the stream key can broadcast on this stream. Keep it private.</p>
      <CopyField label="Stream key" value={key} display={revealed ? key : maskKey(key)} />
      {stream.srt_url && <CopyField label="SRT URL" value={stream.srt_url} display={show(stream.srt_url)} />}
      {stream.rtmp_url && <CopyField label="RTMP URL" value={stream.rtmp_url} display={show(stream.rtmp_url)} />}
      {obs && (
        <div className="obs-hint" data-testid="obs-hint">
          <strong>OBS:</strong> Settings → Stream → Service <em>Custom…</em>, Server <code>{obs.server}</code>, Stream Key: the key above.
        </div>
      )}
      {!stream.srt_url && !stream.rtmp_url && <p className="muted small">Live ingest is turned off on this server.</p>}
    </section>
  )
}
