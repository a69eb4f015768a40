// The embed page plays a signed HLS URL without an API key, so everything it
// needs travels in its own query string.

import type { Video } from './api'

export interface EmbedParams {
  src: string
  poster?: string
  storyboard?: string
  audio: boolean
  title?: string
}

export function embedUrl(origin: string, v: Video): string {
  const sp = new URLSearchParams()
  sp.set('src', v.playback?.hls ?? '')
  if (v.playback?.poster) sp.set('poster', v.playback.poster)
  if (v.playback?.storyboard) sp.set('storyboard', v.playback.storyboard)
  if (v.kind === 'audio') sp.set('audio', '1')
  if (v.title) sp.set('title', v.title)
  return `${origin}/embed?${sp}`
}

export function parseEmbed(q: URLSearchParams): EmbedParams {
  return {
    src: q.get('src') ?? '',
    poster: q.get('poster') ?? undefined,
    storyboard: q.get('storyboard') ?? undefined,
    audio: q.get('audio') === '1',
    title: q.get('title') ?? undefined,
  }
}
