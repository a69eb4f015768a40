// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { parseStoryboard } from '../lib/storyboard'
import { SeekBar } from './SeekBar'

const cues = parseStoryboard(
  'WEBVTT\n\n00:00.000 --> 00:05.000\nsb.jpg?token=x#xywh=0,0,160,90\n\n00:05.000 --> 00:10.000\nsb.jpg?token=x#xywh=160,0,160,90\n',
  'http://h/v/storyboard.vtt?token=x',
)

function setup(onSeek = vi.fn()) {
  render(<SeekBar current={2} duration={10} buffered={4} cues={cues} onSeek={onSeek} />)
  const bar = screen.getByTestId('seek-bar')
  // jsdom has no layout: give the bar a 200 px box.
  bar.getBoundingClientRect = () => ({ left: 0, top: 0, width: 200, height: 20, right: 200, bottom: 20, x: 0, y: 0, toJSON: () => ({}) })
  return { bar, onSeek }
}

describe('SeekBar', () => {
  it('previews the storyboard tile under the pointer', () => {
    const { bar } = setup()
    fireEvent.pointerMove(bar, { clientX: 150 }) // 7.5 s -> second tile
    const thumb = screen.getByTestId('storyboard-thumb')
    const sprite = thumb.firstElementChild as HTMLElement
    expect(sprite.style.backgroundImage).toContain('http://h/v/sb.jpg?token=x')
    expect(sprite.style.backgroundPosition).toBe('-160px 0px')
    expect(screen.getByText('0:07')).toBeTruthy()
    fireEvent.pointerLeave(bar)
    expect(screen.queryByTestId('storyboard-thumb')).toBeNull()
  })

  it('seeks on press', () => {
    const { bar, onSeek } = setup()
    bar.setPointerCapture = () => {}
    fireEvent.pointerDown(bar, { clientX: 50, pointerId: 1 })
    expect(onSeek).toHaveBeenCalledWith(2.5)
  })
})
