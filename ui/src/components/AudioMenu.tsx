// AudioMenu lets the viewer pick the audio track: another language or
// channel layout of the same video. Hidden when there is only one.

import { useEffect, useRef, useState } from 'react'
import { audioButtonLabel, audioOptions, type AudioTrackInfo } from '../lib/audioTracks'
import { Icon } from './Icon'

export function AudioMenu({
  tracks,
  current,
  onSelect,
}: {
  tracks: AudioTrackInfo[]
  current: number
  onSelect: (index: number) => void
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

  if (tracks.length < 2) return null
  return (
    <div className="quality" ref={root}>
      <button
        type="button"
        className="ctl ctl-text"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Audio track: ${audioButtonLabel(tracks, current)}`}
        title="Audio track"
        data-testid="audio-button"
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="volume" size={18} />
        <span>{audioButtonLabel(tracks, current)}</span>
      </button>
      {open && (
        <ul className="quality-menu" role="menu" aria-label="Audio track">
          {audioOptions(tracks).map((o) => (
            <li key={o.value}>
              <button
                type="button"
                role="menuitemradio"
                data-audio-track={o.value}
                lang={tracks[o.value]?.lang || undefined}
                aria-checked={current === o.value}
                className={current === o.value ? 'checked' : ''}
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
