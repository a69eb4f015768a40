// ShareBox: the watch page's link, and for videos anyone with the link may
// watch (public, unlisted) an embed code for the permanent embed page,
// which signs its own URLs each time it loads and so never goes stale.
// The direct HLS link stays for players outside kinema, with its expiry,
// because a signed link silently dying later is the usual surprise.
// Private videos have no share box (WatchPage does not show it).

import { useState } from 'react'
import type { Video } from '../lib/api'
import { embedPageUrl, embedSnippet, parseStart, watchUrl } from '../lib/embed'
import { formatDuration, formatExpiry } from '../lib/format'
import { CopyField } from './CopyField'

export function ShareBox({ video, editable = false, currentTime }: { video: Video; editable?: boolean; currentTime?: () => number }) {
  const [startOn, setStartOn] = useState(false)
  const [start, setStart] = useState('0:00')
  const [autoplay, setAutoplay] = useState(false)
  const [muted, setMuted] = useState(false)
  const [loop, setLoop] = useState(false)
  const origin = window.location.origin
  const open = video.visibility === 'public' || video.visibility === 'unlisted'
  const startSeconds = startOn ? parseStart(start) : undefined
  const src = embedPageUrl(origin, video.id, { start: startSeconds, autoplay, muted, loop })
  const pb = video.playback
  const expires = pb?.expires_at ? new Date(pb.expires_at) : undefined
  const sites = video.embed_domains ?? []

  return (
    <section className="card share" aria-label="Share">
      <h2 className="section-title">Share</h2>
      <CopyField label="Link" value={watchUrl(origin, video.id)} />
      {video.visibility === 'restricted' && (
        <p className="muted small">Only the people and groups this video is shared with can open the link after signing in.</p>
      )}
      {open && (
        <>
          <fieldset className="embed-options">
            <legend className="field-label">Embed options</legend>
            <label className="check">
              <input
                type="checkbox"
                checked={startOn}
                onChange={(e) => {
                  setStartOn(e.target.checked)
                  const t = currentTime?.() ?? 0
                  if (e.target.checked && t > 0) setStart(formatDuration(t))
                }}
              />
              Start at
            </label>
            <input
              className="start-at"
              aria-label="Start time"
              value={start}
              disabled={!startOn}
              onChange={(e) => setStart(e.target.value)}
              aria-invalid={startOn && startSeconds === undefined}
            />
            <label className="check">
              <input type="checkbox" checked={autoplay} onChange={(e) => setAutoplay(e.target.checked)} /> Autoplay
            </label>
            <label className="check">
              <input type="checkbox" checked={muted} onChange={(e) => setMuted(e.target.checked)} /> Muted
            </label>
            <label className="check">
              <input type="checkbox" checked={loop} onChange={(e) => setLoop(e.target.checked)} /> Loop
            </label>
          </fieldset>
          <CopyField label="Embed code" value={embedSnippet(src, video)} multiline />
          <p className="muted small" data-testid="embed-note">
            The embed signs its own links each time it loads, so it keeps working.{' '}
            {sites.length ? `Only these sites may embed it: ${sites.join(', ')}.` : 'Any site may embed it.'}
          </p>
        </>
      )}
      {editable && pb?.hls && (
        <>
          <CopyField label="HLS URL" value={pb.hls} />
          <p className="muted small" data-testid="expiry">
            The HLS URL is signed · {formatExpiry(pb.expires_at)}
            {expires && !Number.isNaN(expires.getTime()) ? ` (${expires.toLocaleString()})` : ''}
          </p>
        </>
      )}
    </section>
  )
}
