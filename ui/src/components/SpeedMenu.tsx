// SpeedMenu sets the playback rate; the button shows the current one.

import { useEffect, useRef, useState } from 'react'

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2]

export function speedLabel(r: number): string {
  return r === 1 ? 'Normal' : `${r}×`
}

export function SpeedMenu({ rate, onSelect }: { rate: number; onSelect: (r: number) => void }) {
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
  return (
    <div className="quality" ref={root}>
      <button
        type="button"
        className="ctl ctl-text"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Speed: ${speedLabel(rate)}`}
        title="Playback speed"
        data-testid="speed-button"
        onClick={() => setOpen((o) => !o)}
      >
        <span>{`${rate}×`}</span>
      </button>
      {open && (
        <ul className="quality-menu" role="menu" aria-label="Playback speed">
          {SPEEDS.map((r) => (
            <li key={r}>
              <button
                type="button"
                role="menuitemradio"
                aria-checked={rate === r}
                className={rate === r ? 'checked' : ''}
                onClick={() => {
                  onSelect(r)
                  setOpen(false)
                }}
              >
                {speedLabel(r)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
