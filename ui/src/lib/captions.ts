// Captions and chapters in the player. Cue text is WebVTT markup from
// uploads and source files, i.e. from anyone: it is only ever turned into
// plain text here and rendered as React text nodes, never as HTML.

import { parseTimestamp } from './storyboard'

/** A caption or subtitle track as the player's menu lists it. */
export interface SubtitleInfo {
  name: string
  lang?: string
}

/** Off is the captions menu value for no captions. */
export const CAPTIONS_OFF = -1

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f', quot: '"', apos: "'" }

/** cueText turns WebVTT cue text into plain text: tags dropped, character references decoded. */
export function cueText(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/gi, (m, ref: string) => {
      if (ref[0] === '#') {
        const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ''
      }
      return ENTITIES[ref.toLowerCase()] ?? m
    })
}

export interface Chapter {
  start: number
  end: number
  title: string
}

/** parseChapters reads a WebVTT chapters track; cues it cannot read are skipped. */
export function parseChapters(vtt: string): Chapter[] {
  if (!vtt.replace(/^\uFEFF/, '').startsWith('WEBVTT')) return []
  const out: Chapter[] = []
  for (const block of vtt.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n')
    const i = lines.findIndex((l) => l.includes('-->'))
    if (i < 0) continue
    const [a, b] = lines[i].split('-->')
    const start = parseTimestamp(a)
    const end = parseTimestamp(b.trim().split(/\s+/)[0])
    const title = cueText(lines.slice(i + 1).join(' ')).trim()
    if (Number.isNaN(start) || Number.isNaN(end) || !title) continue
    out.push({ start, end, title })
  }
  return out.sort((p, q) => p.start - q.start)
}

/** chapterAt returns the chapter holding time t. */
export function chapterAt(chapters: Chapter[], t: number): Chapter | undefined {
  let found: Chapter | undefined
  for (const c of chapters) if (c.start <= t) found = c
  return found
}

/** siblingURL is the URL of another file of the same video: same directory, same signed query. */
export function siblingURL(src: string, name: string): string | undefined {
  try {
    const u = new URL(src, globalThis.location?.href ?? 'http://localhost/')
    if (!u.pathname.endsWith('/master.m3u8')) return undefined
    u.pathname = u.pathname.slice(0, -'master.m3u8'.length) + name
    return u.toString()
  } catch {
    return undefined
  }
}
