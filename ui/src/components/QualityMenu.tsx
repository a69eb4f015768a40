// QualityMenu lets the viewer pin a rendition or go back to Auto. The button
// shows what is playing, so "Auto (480p)" explains a blurry picture.

import { useEffect, useRef, useState } from 'react'
import { qualityButtonLabel, qualityOptions, type LevelInfo } from '../lib/quality'
import { Icon } from './Icon'

export function QualityMenu({
  levels,
  selected,
  playing,
  onSelect,
}: {
  levels: LevelInfo[]
  selected: number
  playing: number
  onSelect: (level: number) => void
}) {
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)

  // Close when clicking anywhere else.
  useEffect(() => {
    if (!open) return
    const close = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false)
    }
    document.addEventListener('pointerdown', close)
    return () => document.removeEventListener('pointerdown', close)
  }, [open])

  if (levels.length < 2) return null
  return (
    <div className="quality" ref={root}>
      <button
        type="button"
        className="ctl ctl-text"
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="quality-button"
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="settings" size={18} />
        <span>{qualityButtonLabel(levels, selected, playing)}</span>
      </button>
      {open && (
        <ul className="quality-menu" role="menu">
          {qualityOptions(levels).map((o) => (
            <li key={o.value}>
              <button
                type="button"
                role="menuitemradio"
                data-level={o.value}
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
