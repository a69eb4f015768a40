import { describe, expect, it } from 'vitest'
import { formatBytes, formatDateTime, formatDuration, formatExpiry, formatPercent, formatSpeed, formatTimeLeft, formatWait } from './format'

describe('format', () => {
  it.each([
    [0, '0:00'],
    [5.9, '0:05'],
    [65, '1:05'],
    [600, '10:00'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3725, '1:02:05'],
    [NaN, '0:00'],
    [-3, '0:00'],
    [undefined, '0:00'],
  ])('formatDuration(%s) = %s', (s, want) => {
    expect(formatDuration(s as number)).toBe(want)
  })

  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.00 KB'],
    [1536000, '1.54 MB'],
    [25_000_000, '25.0 MB'],
    [3_200_000_000, '3.20 GB'],
  ])('formatBytes(%s) = %s', (b, want) => {
    expect(formatBytes(b)).toBe(want)
  })

  it('formats speed', () => {
    expect(formatSpeed(2_500_000)).toBe('2.50 MB/s')
  })

  it.each([
    [undefined, ''],
    [0.2, 'almost done'],
    [12.2, '13 s left'],
    [60, '1 min left'],
    [125, '2 min 5 s left'],
    [7260, '2 h 1 min left'],
  ])('formatTimeLeft(%s) = %s', (s, want) => {
    expect(formatTimeLeft(s)).toBe(want)
  })

  it('clamps percent', () => {
    expect(formatPercent(0.426)).toBe('42%')
    expect(formatPercent(1.2)).toBe('100%')
    expect(formatPercent(undefined)).toBe('0%')
  })

  it('describes expiry relative to now', () => {
    const now = new Date('2026-01-01T00:00:00Z')
    expect(formatExpiry('2026-01-01T06:00:00Z', now)).toBe('expires in 6 h')
    expect(formatExpiry('2026-01-01T00:10:00Z', now)).toBe('expires in 10 min')
    expect(formatExpiry('2026-01-05T00:00:00Z', now)).toBe('expires in 4 days')
    expect(formatExpiry('2025-12-31T00:00:00Z', now)).toBe('expired')
    expect(formatExpiry(undefined, now)).toBe('does not expire')
  })
})

describe('formatDateTime', () => {
  it('is empty for missing or bad input', () => {
    expect(formatDateTime(undefined)).toBe('')
    expect(formatDateTime('nope')).toBe('')
    expect(formatDateTime('2026-01-02T03:04:05Z')).not.toBe('')
  })
})

describe('formatWait', () => {
  it.each([
    [6, '6 s'],
    [0.2, '1 s'],
    [61, '2 min'],
    [900, '15 min'],
    [7200, '2 h'],
    [0, 'a moment'],
  ])('%s s → %s', (s, want) => {
    expect(formatWait(s)).toBe(want)
  })
})
