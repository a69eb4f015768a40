// EmbedPage is what the share snippet's <iframe> loads: just the player,
// full-bleed, no header and no API key (the HLS URL is already signed).

import { parseEmbed } from '../lib/embed'
import { useLocation } from '../lib/router'
import { Player } from '../components/Player'

export function EmbedPage() {
  const { query } = useLocation()
  const p = parseEmbed(query)
  if (!p.src) return <div className="embed-error">Missing video source.</div>
  return (
    <div className="embed">
      <Player src={p.src} poster={p.poster} storyboard={p.storyboard} audio={p.audio} title={p.title} />
    </div>
  )
}
