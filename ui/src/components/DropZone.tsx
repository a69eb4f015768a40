// DropZone accepts files by drag-and-drop or the system picker (the only
// option on phones). Several files at once are allowed.

import { useRef, useState, type DragEvent, type RefObject } from 'react'
import { Icon } from './Icon'

export function DropZone({
  onFiles,
  inputRef,
}: {
  onFiles: (files: File[]) => void
  /** Lets the page open the same picker, e.g. from "Choose file" on an interrupted upload. */
  inputRef?: RefObject<HTMLInputElement | null>
}) {
  const own = useRef<HTMLInputElement>(null)
  const input = inputRef ?? own
  const [over, setOver] = useState(false)

  const drop = (e: DragEvent) => {
    e.preventDefault()
    setOver(false)
    const files = Array.from(e.dataTransfer.files)
    if (files.length) onFiles(files)
  }

  return (
    <div
      className={`dropzone${over ? ' dropzone-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault()
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
      onClick={() => input.current?.click()}
      role="button"
      tabIndex={0}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault()
          input.current?.click()
        }
      }}
      data-testid="dropzone"
    >
      <div className="dropzone-icon">
        <Icon name="upload" size={32} />
      </div>
      <p className="dropzone-title">Drop video or audio files here</p>
      <p className="muted">or click to choose files · uploads resume if the connection drops</p>
      <input
        ref={input}
        type="file"
        multiple
        accept="video/*,audio/*,.mkv,.mov,.mxf,.ts"
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? [])
          e.target.value = '' // allow picking the same file again
          if (files.length) onFiles(files)
        }}
      />
    </div>
  )
}
