// Storyboard thumbnails come as a WebVTT file whose cue payloads point into a
// sprite sheet: `storyboard.jpg?token=…#xywh=x,y,w,h`. Image URLs are relative
// to the VTT file, so they are resolved against it (which also keeps the
// signed query string the server put in them).

export interface StoryboardCue {
  start: number
  end: number
  /** Absolute sprite URL without the #xywh fragment. */
  url: string
  x: number
  y: number
  w: number
  h: number
}

/** parseTimestamp reads "hh:mm:ss.mmm" or "mm:ss.mmm"; NaN if malformed. */
export function parseTimestamp(ts: string): number {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$/.exec(ts.trim())
  if (!m) return NaN
  const [, h, min, s, ms] = m
  return Number(h ?? 0) * 3600 + Number(min) * 60 + Number(s) + (ms ? Number(ms.padEnd(3, '0')) / 1000 : 0)
}

/** parseStoryboard returns the cues sorted by start time, skipping any it cannot read. */
export function parseStoryboard(vtt: string, vttUrl: string): StoryboardCue[] {
  const cues: StoryboardCue[] = []
  const blocks = vtt.replace(/\r\n?/g, '\n').split(/\n{2,}/)
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => l.trim() !== '')
    const timeIdx = lines.findIndex((l) => l.includes('-->'))
    if (timeIdx < 0 || timeIdx + 1 >= lines.length) continue
    const [a, b] = lines[timeIdx].split('-->')
    const start = parseTimestamp(a)
    // Cue settings may follow the end time ("00:05.000 line:0").
    const end = parseTimestamp(b.trim().split(/\s+/)[0])
    if (Number.isNaN(start) || Number.isNaN(end)) continue
    const target = lines[timeIdx + 1].trim()
    let abs: URL
    try {
      abs = new URL(target, vttUrl)
    } catch {
      continue
    }
    const frag = /xywh=(\d+),(\d+),(\d+),(\d+)/.exec(abs.hash)
    if (!frag) continue
    abs.hash = ''
    cues.push({
      start,
      end,
      url: abs.toString(),
      x: Number(frag[1]),
      y: Number(frag[2]),
      w: Number(frag[3]),
      h: Number(frag[4]),
    })
  }
  return cues.sort((p, q) => p.start - q.start)
}

/** findCue returns the cue showing at time t, or the nearest one before it (gaps happen at the end). */
export function findCue(cues: StoryboardCue[], t: number): StoryboardCue | undefined {
  if (cues.length === 0) return undefined
  let lo = 0
  let hi = cues.length - 1
  if (t < cues[0].start) return cues[0]
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (cues[mid].start <= t) lo = mid
    else hi = mid - 1
  }
  return cues[lo]
}
