// The quality menu: "Auto" plus one entry per hls.js level, labelled by height
// (720p). Pure functions so the labelling and ordering are unit-tested apart
// from hls.js.

export interface LevelInfo {
  height?: number
  width?: number
  bitrate?: number
}

export interface QualityOption {
  /** hls.js level index, or -1 for automatic selection. */
  value: number
  label: string
}

export const AUTO = -1

/** The heights VOD labels use; live rungs snapped to an exact aspect ratio (468, 234) get the nearest. */
const STANDARD_HEIGHTS = [4320, 2160, 1440, 1080, 720, 576, 480, 360, 240, 144]

/** heightLabel names a picture height the way the VOD ladder does: 468 → "480p", 720 → "720p". */
export function heightLabel(height: number): string {
  for (const h of STANDARD_HEIGHTS) {
    if (Math.abs(height - h) <= h * 0.05) return `${h}p`
  }
  return `${height}p`
}

function levelLabel(l: LevelInfo): string {
  if (l.height) return heightLabel(l.height)
  if (l.bitrate) return `${Math.round(l.bitrate / 1000)} kbps`
  return 'Unknown'
}

/** qualityOptions lists Auto first, then levels from best to worst; equal heights get their bitrate added to tell them apart. */
export function qualityOptions(levels: LevelInfo[]): QualityOption[] {
  const labels = levels.map(levelLabel)
  const counts = new Map<string, number>()
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1)
  const opts = levels.map((l, i) => ({
    value: i,
    label: (counts.get(labels[i]) ?? 0) > 1 && l.bitrate ? `${labels[i]} · ${Math.round(l.bitrate / 1000)} kbps` : labels[i],
    height: l.height ?? 0,
    bitrate: l.bitrate ?? 0,
  }))
  opts.sort((a, b) => b.height - a.height || b.bitrate - a.bitrate)
  return [{ value: AUTO, label: 'Auto' }, ...opts.map(({ value, label }) => ({ value, label }))]
}

/** qualityButtonLabel shows what is playing: "Auto (480p)" while adaptive, or the chosen level. */
export function qualityButtonLabel(levels: LevelInfo[], selected: number, playing: number): string {
  if (selected === AUTO) {
    const cur = levels[playing]
    return cur ? `Auto (${levelLabel(cur)})` : 'Auto'
  }
  const lvl = levels[selected]
  return lvl ? levelLabel(lvl) : 'Auto'
}
