import { describe, expect, it } from 'vitest'
import { chapterAt, cueText, parseChapters, siblingURL } from './captions'

describe('captions', () => {
  it('turns cue markup into plain text, never markup', () => {
    expect(cueText('<i>Hello</i> <v Bob>there</v>')).toBe('Hello there')
    expect(cueText('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#233;t&#xE9;')).toBe('<script>alert(1)</script> & été')
    expect(cueText('&bogus; &#0; a')).toBe('&bogus;  a')
  })

  it('reads a chapters track', () => {
    const vtt = 'WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nIntro\n\n00:00:05.000 --> 00:01:00.000\nThe &lt;b&gt;end&lt;/b&gt;\n'
    const ch = parseChapters(vtt)
    expect(ch).toEqual([
      { start: 0, end: 5, title: 'Intro' },
      { start: 5, end: 60, title: 'The <b>end</b>' },
    ])
    expect(chapterAt(ch, 7)?.title).toBe('The <b>end</b>')
    expect(chapterAt(ch, 0)?.title).toBe('Intro')
    expect(parseChapters('not vtt')).toEqual([])
  })

  it('finds a sibling file with the same signed query', () => {
    expect(siblingURL('http://h/media/v1/master.m3u8?token=abc', 'chapters.vtt')).toBe('http://h/media/v1/chapters.vtt?token=abc')
    expect(siblingURL('http://h/media/v1/manifest.mpd?token=abc', 'chapters.vtt')).toBeUndefined()
  })
})
