// SeekBar shows played and buffered time, seeks on click or drag (mouse and
// touch through pointer events), and previews the storyboard frame under the
// pointer so users can find a scene without scrubbing blind.

import { useRef, useState, type PointerEvent } from 'react'
import { chapterAt, type Chapter } from '../lib/captions'
import { formatDuration } from '../lib/format'
import { findCue, type StoryboardCue } from '../lib/storyboard'
import { StoryboardThumb } from './StoryboardThumb'

const THUMB_WIDTH = 160

export function SeekBar({
  current,
  duration,
  buffered,
  cues,
  chapters = [],
  onSeek,
}: {
  current: number
  duration: number
  buffered: number
  cues: StoryboardCue[]
  /** Chapter marks on the track; the tip names the chapter under the pointer. */
  chapters?: Chapter[]
  onSeek: (t: number) => void
}) {
  const track = useRef<HTMLDivElement>(null)
  const [hover, setHover] = useState<{ x: number; t: number; width: number }>()
  const [dragging, setDragging] = useState(false)

  const at = (e: PointerEvent) => {
    const r = track.current!.getBoundingClientRect()
    const x = Math.min(Math.max(e.clientX - r.left, 0), r.width)
    return { x, t: r.width > 0 && duration > 0 ? (x / r.width) * duration : 0, width: r.width }
  }

  const frac = (v: number) => (duration > 0 ? `${Math.min(100, (v / duration) * 100)}%` : '0%')
  const cue = hover ? findCue(cues, hover.t) : undefined
  const chapter = hover ? chapterAt(chapters, hover.t) : undefined
  const tipWidth = cue ? THUMB_WIDTH : 56
  const tipLeft = hover ? Math.min(Math.max(hover.x - tipWidth / 2, 0), Math.max(0, hover.width - tipWidth)) : 0

  return (
    <div
      className="seek"
      ref={track}
      role="slider"
      aria-label="Seek"
      aria-valuemin={0}
      aria-valuemax={Math.round(duration)}
      aria-valuenow={Math.round(current)}
      aria-valuetext={`${formatDuration(current)} of ${formatDuration(duration)}`}
      data-testid="seek-bar"
      onPointerDown={(e) => {
        if (!duration) return
        e.currentTarget.setPointerCapture(e.pointerId)
        setDragging(true)
        const p = at(e)
        setHover(p)
        onSeek(p.t)
      }}
      onPointerMove={(e) => {
        const p = at(e)
        setHover(p)
        if (dragging) onSeek(p.t)
      }}
      onPointerUp={(e) => {
        setDragging(false)
        if (e.pointerType !== 'mouse') setHover(undefined) // no hover state on touch
      }}
      onPointerCancel={() => {
        setDragging(false)
        setHover(undefined)
      }}
      onPointerLeave={() => {
        if (!dragging) setHover(undefined)
      }}
    >
      <div className="seek-track">
        <div className="seek-buffered" style={{ width: frac(buffered) }} />
        <div className="seek-played" style={{ width: frac(current) }} />
        {chapters
          .filter((c) => c.start > 0 && c.start < duration)
          .map((c) => (
            <div key={c.start} className="seek-chapter" style={{ left: frac(c.start) }} data-testid="chapter-mark" title={c.title} />
          ))}
        <div className="seek-handle" style={{ left: frac(current) }} />
      </div>
      {hover && duration > 0 && (
        <div className="seek-tip" style={{ left: tipLeft, width: tipWidth }}>
          {cue && <StoryboardThumb cue={cue} width={THUMB_WIDTH} />}
          {chapter && (
            <span className="seek-chapter-title" data-testid="chapter-title">
              {chapter.title}
            </span>
          )}
          <span className="seek-time">{formatDuration(hover.t)}</span>
        </div>
      )}
    </div>
  )
}
