// ShareBox hands out the signed HLS URL (for any HLS player) and an <iframe>
// snippet for the embed page, and says when the signature runs out, because a
// pasted link silently dying later is the usual surprise with signed URLs.

import type { Video } from '../lib/api'
import { embedUrl } from '../lib/embed'
import { formatExpiry } from '../lib/format'
import { CopyField } from './CopyField'

export function ShareBox({ video }: { video: Video }) {
  const pb = video.playback
  if (!pb?.hls) return null
  const src = embedUrl(window.location.origin, video)
  const snippet = `<iframe src="${src.replace(/&/g, '&amp;')}" width="640" height="360" style="border:0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen title="${escapeAttr(video.title)}"></iframe>`
  const expires = pb.expires_at ? new Date(pb.expires_at) : undefined
  return (
    <section className="card share" aria-label="Share">
      <h2 className="section-title">Share</h2>
      <p className="muted" data-testid="expiry">
        Signed links · {formatExpiry(pb.expires_at)}
        {expires && !Number.isNaN(expires.getTime()) ? ` (${expires.toLocaleString()})` : ''}
      </p>
      <CopyField label="HLS URL" value={pb.hls} />
      <CopyField label="Embed code" value={snippet} multiline />
    </section>
  )
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
}
