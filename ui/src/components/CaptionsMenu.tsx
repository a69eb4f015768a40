// CaptionsMenu turns captions off or picks a track, as hls.js lists them
// from the master playlist's SUBTITLES group.

import { useEffect, useRef, useState } from 'react'
import { CAPTIONS_OFF, type SubtitleInfo } from '../lib/captions'

export function CaptionsMenu({
  tracks,
  selected,
  onSelect,
}: {
  tracks: SubtitleInfo[]
  selected: number
  onSelect: (track: number) => void
}) {
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (!open) return
    const close = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false)
    }
    document.addEventListener('pointerdown', close)
    return () => document.removeEventListener('pointerdown', close)
  }, [open])

  if (tracks.length === 0) return null
  const options = [{ value: CAPTIONS_OFF, label: 'Off' }, ...tracks.map((t, i) => ({ value: i, label: t.name || t.lang || `Track ${i + 1}` }))]
  return (
    <div className="quality" ref={root}>
      <button
        type="button"
        className={`ctl ctl-text${selected !== CAPTIONS_OFF ? ' is-on' : ''}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label="Captions"
        title="Captions"
        data-testid="captions-button"
        onClick={() => setOpen((o) => !o)}
      >
        <span className="cc-badge">CC</span>
      </button>
      {open && (
        <ul className="quality-menu" role="menu" data-testid="captions-menu">
          {options.map((o) => (
            <li key={o.value}>
              <button
                type="button"
                role="menuitemradio"
                data-track={o.value}
                aria-checked={selected === o.value}
                className={selected === o.value ? 'checked' : ''}
                onClick={() => {
                  onSelect(o.value)
                  setOpen(false)
                }}
              >
                {o.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
