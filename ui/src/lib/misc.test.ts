// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { embedUrl, parseEmbed } from './embed'
import { matchesQuery } from './filter'
import { isTypingTarget, shortcutFor } from './keyboard'
import { matchRoute } from './router'
import { SpeedMeter } from './speed'
import { withParams } from './tusQuery'

describe('router', () => {
  it.each([
    ['/', { name: 'library' }],
    ['/library', { name: 'library' }],
    ['/upload/', { name: 'upload' }],
    ['/watch/abc%20d', { name: 'watch', id: 'abc d' }],
    ['/embed', { name: 'embed' }],
    ['/streams', { name: 'live' }],
    ['/streams/', { name: 'live' }],
    ['/streams/ab%2Fc', { name: 'stream', id: 'ab/c' }],
    ['/streams/a/b', { name: 'notfound' }],
    ['/live', { name: 'notfound' }],
    ['/watch/a/b', { name: 'notfound' }],
    ['/nope', { name: 'notfound' }],
    ['/signin', { name: 'signin' }],
    ['/signup', { name: 'signup' }],
    ['/users/', { name: 'users' }],
    ['/keys', { name: 'keys' }],
  ])('%s', (path, want) => {
    expect(matchRoute(path)).toEqual(want)
  })
})

describe('keyboard shortcuts', () => {
  it.each([
    [' ', 'toggle'],
    ['k', 'toggle'],
    ['f', 'fullscreen'],
    ['m', 'mute'],
    ['ArrowLeft', 'back'],
    ['ArrowRight', 'forward'],
    ['x', undefined],
  ])('%j -> %s', (key, want) => {
    expect(shortcutFor({ key })).toBe(want)
  })

  it('leaves modified keys to the browser', () => {
    expect(shortcutFor({ key: 'f', ctrlKey: true })).toBeUndefined()
  })

  it('ignores typing in text fields', () => {
    const input = document.createElement('input')
    expect(isTypingTarget(input)).toBe(true)
    const range = document.createElement('input')
    range.type = 'range'
    expect(isTypingTarget(range)).toBe(false)
    expect(isTypingTarget(document.createElement('textarea'))).toBe(true)
    expect(isTypingTarget(document.createElement('button'))).toBe(false)
    expect(isTypingTarget(null)).toBe(false)
  })
})

describe('tus query parameters', () => {
  const tus = 'http://h/api/v1/tus/?video=V1&token=T'
  it('adds missing parameters to upload URLs', () => {
    expect(withParams('http://h/api/v1/tus/abc', tus)).toBe('http://h/api/v1/tus/abc?video=V1&token=T')
  })
  it('keeps URLs that already carry them', () => {
    const u = 'http://h/api/v1/tus/abc?video=V1&token=NEW'
    expect(withParams(u, tus)).toBe(u)
    expect(withParams(tus, tus)).toBe(tus)
  })
})

describe('SpeedMeter', () => {
  it('estimates speed and time left', () => {
    const m = new SpeedMeter()
    m.sample(0, 1000)
    expect(m.etaSeconds(100)).toBeUndefined()
    m.sample(1_000_000, 2000)
    expect(m.bytesPerSecond).toBeCloseTo(1_000_000)
    expect(m.etaSeconds(5_000_000)).toBeCloseTo(5)
    m.sample(1_000_000, 2100) // too soon: ignored
    expect(m.bytesPerSecond).toBeCloseTo(1_000_000)
    m.sample(1_000_000, 4000) // stalled for 1.9 s: speed drops but smoothly
    expect(m.bytesPerSecond).toBeGreaterThan(0)
    expect(m.bytesPerSecond).toBeLessThan(1_000_000)
  })
})

describe('embed links', () => {
  it('round-trips playback parameters', () => {
    const url = embedUrl('http://h', {
      id: 'x',
      title: 'A & B',
      status: 'ready',
      kind: 'audio',
      playback: { hls: 'http://h/m/x/master.m3u8?token=t&exp=1', poster: '', storyboard: '' },
    })
    expect(url.startsWith('http://h/embed?')).toBe(true)
    const p = parseEmbed(new URL(url).searchParams)
    expect(p).toEqual({ src: 'http://h/m/x/master.m3u8?token=t&exp=1', poster: undefined, storyboard: undefined, audio: true, title: 'A & B' })
  })
})

describe('title filter', () => {
  it('matches case-insensitively', () => {
    const v = { id: '1', title: 'Holiday Clip', status: 'ready' as const }
    expect(matchesQuery(v, 'clip')).toBe(true)
    expect(matchesQuery(v, '  ')).toBe(true)
    expect(matchesQuery(v, 'zzz')).toBe(false)
  })
})

describe('embed links', () => {
  it('builds the permanent embed page with its options', async () => {
    const { embedPageUrl, parseEmbedOptions, parseStart, titleFromFileName, embedSnippet } = await import('./embed')
    expect(embedPageUrl('https://k.example', 'abc')).toBe('https://k.example/embed/abc')
    const u = embedPageUrl('https://k.example', 'abc', { start: 90.7, autoplay: true, muted: true, loop: true })
    expect(u).toBe('https://k.example/embed/abc?start=90&autoplay=1&muted=1&loop=1')
    expect(parseEmbedOptions(new URL(u).searchParams)).toEqual({ start: 90, autoplay: true, muted: true, loop: true })
    expect(parseStart('1m30s')).toBe(90)
    expect(parseStart('1:02:03')).toBe(3723)
    expect(parseStart('2:05')).toBe(125)
    expect(parseStart('soon')).toBeUndefined()
    expect(titleFromFileName('My holiday.final.MP4')).toBe('My holiday.final')
    expect(titleFromFileName('.hidden')).toBe('.hidden')
    expect(embedSnippet('https://k/embed/a?x=1&y=2', { title: 'A "b"', width: 320, height: 240, kind: 'video' })).toBe(
      '<iframe src="https://k/embed/a?x=1&amp;y=2" width="640" height="480" style="border:0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen title="A &quot;b&quot;"></iframe>',
    )
  })
})
