// UploadPage: pick or drop files, watch them upload and then process. The
// visibility picked here applies to the videos created from then on;
// sharing with particular people is done on the video's page.

import { useMemo, useRef, useState, useSyncExternalStore } from 'react'
import type { Visibility } from '../lib/api'
import { useSession } from '../lib/session'
import { Choice } from '../components/Choice'
import { DropZone } from '../components/DropZone'
import { InterruptedUploads } from '../components/InterruptedUploads'
import { UploadItem } from '../components/UploadItem'
import { VISIBILITIES } from '../components/VisibilityTag'

/** Restricted needs people or groups picked, which the video's page does. */
const CHOICES = VISIBILITIES.filter((v) => v.value !== 'restricted')

export function UploadPage() {
  const { uploads } = useSession()
  const entries = useSyncExternalStore(uploads.subscribe, uploads.getSnapshot)
  const input = useRef<HTMLInputElement>(null)
  const [visibility, setVisibility] = useState<Visibility>('private')
  // Recomputed whenever the manager changes (it emits after discard too).
  const interrupted = useMemo(() => uploads.interrupted(), [uploads, entries]) // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <main className="page page-narrow">
      <h1 className="page-title">Upload</h1>
      <div className="upload-options">
        <label className="field-label" htmlFor="upload-visibility">
          Visibility
        </label>
        <Choice id="upload-visibility" value={visibility} options={CHOICES} onChange={setVisibility} />
        <span className="muted small">
          {CHOICES.find((v) => v.value === visibility)?.hint} To share with particular people or groups, open the video once it is uploaded.
        </span>
      </div>
      <DropZone inputRef={input} onFiles={(files) => uploads.add(files, visibility)} />
      <InterruptedUploads
        records={interrupted}
        onPick={() => input.current?.click()}
        onDiscard={(r) => void uploads.discard(r)}
      />
      {entries.length > 0 && (
        <ul className="upload-list" aria-label="Uploads">
          {[...entries].reverse().map((e) => (
            <UploadItem key={e.key} entry={e} />
          ))}
        </ul>
      )}
    </main>
  )
}
