import { describe, expect, it } from 'vitest'
import { columnOf, jobTable, parseGB, parseMinutes, share, throughputSeries } from './admin'

describe('jobTable', () => {
  it('sums states into columns per kind and overall', () => {
    const t = jobTable({
      lease_seconds: 10,
      workers: [],
      counts: [
        { kind: 'probe', state: 'completed', count: 3 },
        { kind: 'encode_chunk', state: 'running', count: 2 },
        { kind: 'encode_chunk', state: 'available', count: 5 },
        { kind: 'encode_chunk', state: 'scheduled', count: 1 },
        { kind: 'encode_chunk', state: 'discarded', count: 1 },
        { kind: 'probe', state: 'cancelled', count: 4 },
        { kind: 'probe', state: 'retryable', count: 1 },
      ],
    })
    expect(t.rows.map((r) => r.kind)).toEqual(['encode_chunk', 'probe'])
    expect(t.rows[0]).toEqual({ kind: 'encode_chunk', waiting: 6, running: 2, retrying: 0, failed: 1, done: 0 })
    expect(t.rows[1]).toEqual({ kind: 'probe', waiting: 0, running: 0, retrying: 1, failed: 4, done: 3 })
    expect(t.total).toEqual({ waiting: 6, running: 2, retrying: 1, failed: 5, done: 3 })
  })
  it('maps every state', () => {
    expect(columnOf('pending')).toBe('waiting')
    expect(columnOf('discarded')).toBe('failed')
  })
})

describe('throughputSeries', () => {
  it('fills empty buckets up to now and computes speed', () => {
    const s = throughputSeries(
      {
        since: '2026-12-01T10:00:00Z',
        bucket_seconds: 3600,
        buckets: [{ start: '2026-12-01T11:00:00Z', videos: 2, media_seconds: 90, processing_seconds: 30 }],
      },
      new Date('2026-12-01T13:20:00Z'),
    )
    expect(s.x).toHaveLength(4) // 10, 11, 12, 13 h
    expect(s.x[1] - s.x[0]).toBe(3600)
    expect(s.mediaMinutes).toEqual([0, 1.5, 0, 0])
    expect(s.videos).toEqual([0, 2, 0, 0])
    expect(s.speed).toEqual([null, 3, null, null])
  })
})

describe('quota helpers', () => {
  it('parses inputs: empty is the default, negative is invalid', () => {
    expect(parseGB('')).toBeNull()
    expect(parseGB('1.5')).toBe(1_500_000_000)
    expect(parseGB('0')).toBe(0)
    expect(parseGB('-1')).toBeUndefined()
    expect(parseGB('x')).toBeUndefined()
    expect(parseMinutes(' 30 ')).toBe(30)
    expect(parseMinutes('')).toBeNull()
  })
  it('share is capped and 0 without a limit', () => {
    expect(share(5, 10)).toBe(0.5)
    expect(share(20, 10)).toBe(1)
    expect(share(20, 0)).toBe(0)
  })
})
