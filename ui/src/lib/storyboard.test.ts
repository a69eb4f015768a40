import { describe, expect, it } from 'vitest'
import { findCue, parseStoryboard, parseTimestamp } from './storyboard'

const VTT = `WEBVTT

00:00:00.000 --> 00:00:02.000
storyboard.jpg?token=abc#xywh=0,0,160,90

00:00:02.000 --> 00:00:04.000
storyboard.jpg?token=abc#xywh=160,0,160,90

3
00:04.000 --> 00:06.500 align:start
storyboard.jpg?token=abc#xywh=0,90,160,90

NOTE a comment block is ignored

00:00:08.000 --> 00:00:10.000
https://cdn.example/other.jpg#xywh=1,2,3,4
`

const URL_ = 'http://host:8080/media/v1/storyboard.vtt?token=abc'

describe('storyboard', () => {
  it('parses timestamps', () => {
    expect(parseTimestamp('00:01:02.500')).toBe(62.5)
    expect(parseTimestamp('01:02.5')).toBe(62.5)
    expect(parseTimestamp('1:00:00.000')).toBe(3600)
    expect(parseTimestamp('nonsense')).toBeNaN()
  })

  it('parses cues and resolves sprite URLs against the VTT URL', () => {
    const cues = parseStoryboard(VTT, URL_)
    expect(cues).toHaveLength(4)
    expect(cues[0]).toEqual({
      start: 0,
      end: 2,
      url: 'http://host:8080/media/v1/storyboard.jpg?token=abc',
      x: 0,
      y: 0,
      w: 160,
      h: 90,
    })
    expect(cues[2]).toMatchObject({ start: 4, end: 6.5, x: 0, y: 90 })
    expect(cues[3].url).toBe('https://cdn.example/other.jpg')
  })

  it('handles CRLF and skips cues without xywh', () => {
    const vtt = 'WEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\nsprite.jpg\r\n\r\n00:01.000 --> 00:02.000\r\nsprite.jpg#xywh=5,6,7,8\r\n'
    const cues = parseStoryboard(vtt, 'http://h/a/b.vtt')
    expect(cues).toHaveLength(1)
    expect(cues[0]).toMatchObject({ url: 'http://h/a/sprite.jpg', x: 5, y: 6, w: 7, h: 8 })
  })

  it('finds the cue for a time', () => {
    const cues = parseStoryboard(VTT, URL_)
    expect(findCue(cues, 0)?.x).toBe(0)
    expect(findCue(cues, 1.99)?.x).toBe(0)
    expect(findCue(cues, 2)?.x).toBe(160)
    expect(findCue(cues, 5)?.y).toBe(90)
    expect(findCue(cues, 7)?.y).toBe(90) // gap: nearest earlier cue
    expect(findCue(cues, 999)?.w).toBe(3)
    expect(findCue([], 3)).toBeUndefined()
  })
})
