// UploadPage: pick or drop files, watch them upload and then process.

import { useMemo, useRef, useSyncExternalStore } from 'react'
import { useSession } from '../lib/session'
import { DropZone } from '../components/DropZone'
import { InterruptedUploads } from '../components/InterruptedUploads'
import { UploadItem } from '../components/UploadItem'

export function UploadPage() {
  const { uploads } = useSession()
  const entries = useSyncExternalStore(uploads.subscribe, uploads.getSnapshot)
  const input = useRef<HTMLInputElement>(null)
  // Recomputed whenever the manager changes (it emits after discard too).
  const interrupted = useMemo(() => uploads.interrupted(), [uploads, entries]) // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <main className="page page-narrow">
      <h1 className="page-title">Upload</h1>
      <DropZone inputRef={input} onFiles={(files) => uploads.add(files)} />
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
