// Pure helpers of the admin dashboard: job counts per kind, throughput
// series for the plots, quota figures. Unit-tested (admin.test.ts).

import type { JobOverview, JobState, Throughput } from './adminApi'

/** The columns of the jobs table: what an operator asks about a kind of job. */
export type JobColumn = 'waiting' | 'running' | 'retrying' | 'failed' | 'done'

export const JOB_COLUMNS: { key: JobColumn; label: string }[] = [
  { key: 'waiting', label: 'Waiting' },
  { key: 'running', label: 'Running' },
  { key: 'retrying', label: 'Retrying' },
  { key: 'failed', label: 'Failed' },
  { key: 'done', label: 'Done' },
]

/** columnOf maps River's states to the table's columns. */
export function columnOf(state: JobState): JobColumn {
  switch (state) {
    case 'running':
      return 'running'
    case 'retryable':
      return 'retrying'
    case 'discarded':
    case 'cancelled':
      return 'failed'
    case 'completed':
      return 'done'
    default:
      return 'waiting' // available, scheduled, pending
  }
}

export type KindRow = { kind: string } & Record<JobColumn, number>

/** jobTable sums the overview's counts per kind (sorted by name) and overall. */
export function jobTable(o: JobOverview): { rows: KindRow[]; total: Record<JobColumn, number> } {
  const zero = (): Record<JobColumn, number> => ({ waiting: 0, running: 0, retrying: 0, failed: 0, done: 0 })
  const byKind = new Map<string, KindRow>()
  const total = zero()
  for (const c of o.counts) {
    let row = byKind.get(c.kind)
    if (!row) byKind.set(c.kind, (row = { kind: c.kind, ...zero() }))
    const col = columnOf(c.state)
    row[col] += c.count
    total[col] += c.count
  }
  return { rows: [...byKind.values()].sort((a, b) => a.kind.localeCompare(b.kind)), total }
}

/** kindLabel: "encode_chunk" reads "encode chunk". */
export function kindLabel(kind: string): string {
  return kind.replace(/_/g, ' ')
}

export interface ThroughputSeries {
  /** Unix seconds, one per bucket from since to now (empty buckets are 0). */
  x: number[]
  /** Minutes of media that became ready in the bucket. */
  mediaMinutes: number[]
  videos: number[]
  /** Media seconds per second of processing (× real time); null without videos. */
  speed: (number | null)[]
}

/** throughputSeries fills the buckets the server left out, up to now. */
export function throughputSeries(t: Throughput, now: Date = new Date()): ThroughputSeries {
  const step = t.bucket_seconds
  const start = Math.floor(Date.parse(t.since) / 1000 / step) * step
  const end = Math.floor(now.getTime() / 1000 / step) * step
  const at = new Map(t.buckets.map((b) => [Math.floor(Date.parse(b.start) / 1000), b]))
  const out: ThroughputSeries = { x: [], mediaMinutes: [], videos: [], speed: [] }
  for (let s = start; s <= end && out.x.length < 5000; s += step) {
    const b = at.get(s)
    out.x.push(s)
    out.mediaMinutes.push(b ? Math.round((b.media_seconds / 60) * 100) / 100 : 0)
    out.videos.push(b?.videos ?? 0)
    out.speed.push(b && b.processing_seconds > 0 ? Math.round((b.media_seconds / b.processing_seconds) * 100) / 100 : null)
  }
  return out
}

/** share is used/limit as a fraction for a bar; 0 when there is no limit. */
export function share(used: number, limit: number): number {
  return limit > 0 ? Math.min(used / limit, 1) : 0
}

/** parseGB reads a storage quota typed in GB ("" → null: the default; "0" → no quota). */
export function parseGB(s: string): number | null | undefined {
  const t = s.trim()
  if (t === '') return null
  const n = Number(t)
  if (!Number.isFinite(n) || n < 0) return undefined
  return Math.round(n * 1e9)
}

/** parseMinutes reads a processing quota in minutes ("" → null, invalid → undefined). */
export function parseMinutes(s: string): number | null | undefined {
  const t = s.trim()
  if (t === '') return null
  const n = Number(t)
  if (!Number.isFinite(n) || n < 0) return undefined
  return n
}
