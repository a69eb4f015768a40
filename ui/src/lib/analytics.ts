// Shapes the analytics API's sparse hourly buckets into the dense series
// the plots draw, and formats the figures.

import type { Analytics, AnalyticsBucket } from './api'

export interface Series {
  /** Unix seconds at the start of each hour in [from, to). */
  x: number[]
  views: number[]
  watchMinutes: number[]
  startupMs: (number | null)[]
  rebufferPct: (number | null)[]
  errors: number[]
}

const HOUR = 3600

/** hourly fills every hour of the range; hours without data are 0, or a gap for averages. */
export function hourly(a: Analytics): Series {
  const from = Math.floor(Date.parse(a.from) / 1000 / HOUR) * HOUR
  const to = Date.parse(a.to) / 1000
  const byHour = new Map<number, AnalyticsBucket>()
  for (const b of a.hours) byHour.set(Date.parse(b.hour) / 1000, b)
  const s: Series = { x: [], views: [], watchMinutes: [], startupMs: [], rebufferPct: [], errors: [] }
  for (let t = from; t < to && s.x.length < 24 * 100; t += HOUR) {
    const b = byHour.get(t)
    s.x.push(t)
    s.views.push(b?.views ?? 0)
    s.watchMinutes.push(b ? b.watch_ms / 60000 : 0)
    s.startupMs.push(b && b.startups > 0 ? b.startup_avg_ms : null)
    s.rebufferPct.push(b && b.watch_ms + b.rebuffer_ms > 0 ? b.rebuffer_ratio * 100 : null)
    s.errors.push(b?.errors ?? 0)
  }
  return s
}

/** watchTime formats milliseconds watched: 42 s, 12 min, 3.5 h. */
export function watchTime(ms: number): string {
  const s = ms / 1000
  if (s < 60) return `${Math.round(s)} s`
  if (s < 3600) return `${Math.round(s / 60)} min`
  return `${(s / 3600).toFixed(1)} h`
}

/** renditionLabel names a rendition by its height. */
export function renditionLabel(height: number): string {
  return height > 0 ? `${height}p` : 'audio'
}

export const RANGES = [
  { label: '24 hours', hours: 24 },
  { label: '7 days', hours: 24 * 7 },
  { label: '30 days', hours: 24 * 30 },
  { label: '90 days', hours: 24 * 90 },
] as const
