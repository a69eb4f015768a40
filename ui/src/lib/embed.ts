// Embeds and share links. The permanent embed page is /embed/{id}: it asks
// the server for freshly signed URLs each time it loads, so a pasted embed
// keeps working after any one token has expired. The old /embed?src=…
// form (a signed URL in the query) still plays until its token expires.

import type { Video } from './api'

export interface EmbedParams {
  src: string
  poster?: string
  storyboard?: string
  audio: boolean
  title?: string
}

/** EmbedOptions are the /embed/{id} query options. */
export interface EmbedOptions {
  /** Start at this many seconds. */
  start?: number
  autoplay?: boolean
  muted?: boolean
  loop?: boolean
}

/** watchUrl is the page to share: it plays for whoever may watch the video. */
export function watchUrl(origin: string, id: string): string {
  return `${origin}/watch/${encodeURIComponent(id)}`
}

/** embedPageUrl is the permanent embed page of a video with its options. */
export function embedPageUrl(origin: string, id: string, o: EmbedOptions = {}): string {
  const sp = new URLSearchParams()
  if (o.start && o.start > 0) sp.set('start', String(Math.floor(o.start)))
  if (o.autoplay) sp.set('autoplay', '1')
  if (o.muted) sp.set('muted', '1')
  if (o.loop) sp.set('loop', '1')
  const qs = sp.toString()
  return `${origin}/embed/${encodeURIComponent(id)}${qs ? `?${qs}` : ''}`
}

/** embedSnippet is the <iframe> to paste, sized to the video's aspect ratio. */
export function embedSnippet(src: string, v: Pick<Video, 'title' | 'width' | 'height' | 'kind'>): string {
  const w = 640
  const h = v.kind !== 'audio' && v.width && v.height ? Math.round((w * v.height) / v.width) : 360
  return `<iframe src="${escapeAttr(src)}" width="${w}" height="${h}" style="border:0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen title="${escapeAttr(v.title)}"></iframe>`
}

/** parseEmbedOptions reads /embed/{id}'s query; start also takes 1m30s or 90s. */
export function parseEmbedOptions(q: URLSearchParams): EmbedOptions {
  return {
    start: parseStart(q.get('start') ?? q.get('t') ?? ''),
    autoplay: q.get('autoplay') === '1',
    muted: q.get('muted') === '1',
    loop: q.get('loop') === '1',
  }
}

/** parseStart reads "90", "90s", "1m30s" or "1:30" as seconds; undefined otherwise. */
export function parseStart(s: string): number | undefined {
  s = s.trim()
  if (!s) return undefined
  if (/^\d+(\.\d+)?s?$/.test(s)) return parseFloat(s)
  const hms = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s)
  if (hms && (hms[1] || hms[2] || hms[3])) return (+(hms[1] ?? 0)) * 3600 + (+(hms[2] ?? 0)) * 60 + +(hms[3] ?? 0)
  const colon = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(s)
  if (colon) return (+(colon[1] ?? 0)) * 3600 + +colon[2] * 60 + +colon[3]
  return undefined
}

/** embedUrl is the old, expiring form of the embed page (signed URLs in the query). */
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

/** titleFromFileName is the default title of an upload: the file name without its extension. */
export function titleFromFileName(name: string): string {
  const base = name.replace(/^.*[\\/]/, '')
  const dot = base.lastIndexOf('.')
  const t = (dot > 0 ? base.slice(0, dot) : base).trim()
  return t || base || 'Untitled'
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
}
