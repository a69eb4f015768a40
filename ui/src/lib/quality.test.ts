import { describe, expect, it } from 'vitest'
import { AUTO, qualityButtonLabel, qualityOptions } from './quality'

describe('quality menu', () => {
  const levels = [
    { height: 240, width: 426, bitrate: 400_000 },
    { height: 720, width: 1280, bitrate: 2_800_000 },
    { height: 480, width: 854, bitrate: 1_200_000 },
  ]

  it('lists Auto then levels from highest to lowest, keeping hls.js indexes', () => {
    expect(qualityOptions(levels)).toEqual([
      { value: AUTO, label: 'Auto' },
      { value: 1, label: '720p' },
      { value: 2, label: '480p' },
      { value: 0, label: '240p' },
    ])
  })

  it('tells equal heights apart by bitrate', () => {
    const opts = qualityOptions([
      { height: 720, bitrate: 1_500_000 },
      { height: 720, bitrate: 3_000_000 },
    ])
    expect(opts.map((o) => o.label)).toEqual(['Auto', '720p · 3000 kbps', '720p · 1500 kbps'])
    expect(opts[1].value).toBe(1)
  })

  it('falls back to bitrate for audio-only levels', () => {
    expect(qualityOptions([{ bitrate: 128_000 }])[1].label).toBe('128 kbps')
  })

  it('labels the button with what is playing', () => {
    expect(qualityButtonLabel(levels, AUTO, 2)).toBe('Auto (480p)')
    expect(qualityButtonLabel(levels, AUTO, -1)).toBe('Auto')
    expect(qualityButtonLabel(levels, 1, 2)).toBe('720p')
  })
})

describe('live labels', () => {
  it('names live rungs like the VOD ladder', async () => {
    const { heightLabel } = await import('./quality')
    // The live ladder snaps 480 and 240 to the exact 16:9 grid (832x468, 416x234).
    expect([720, 468, 360, 234].map(heightLabel)).toEqual(['720p', '480p', '360p', '240p'])
    expect([1080, 480, 240, 300].map(heightLabel)).toEqual(['1080p', '480p', '240p', '300p'])
    expect(qualityOptions([{ height: 468 }, { height: 234 }]).map((o) => o.label)).toEqual(['Auto', '480p', '240p'])
  })
})
