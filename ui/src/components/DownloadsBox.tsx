// DownloadsBox: download links for a video whose owner offers them (an MP4
// of the top rendition, the audio as M4A), and for the owner the switch
// that offers them and the uploaded original.

import { useEffect, useState } from 'react'
import type { Video } from '../lib/api'
import { useSession } from '../lib/session'
import { errorText } from '../lib/errors'

export function DownloadsBox({ video, editable, onSaved }: { video: Video; editable: boolean; onSaved: (v: Video) => void }) {
  const { client } = useSession()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  // The viewer's choice shows at once; the server's answer then replaces it.
  const [asked, setAsked] = useState<boolean | null>(null)
  const d = video.downloads
  const pending = d?.enabled && d.status === 'pending'

  // While the files are being made, look again every couple of seconds
  // (the page itself stops polling once the video is ready).
  useEffect(() => {
    if (!pending) return
    const ctrl = new AbortController()
    const timer = setTimeout(() => {
      client
        .getVideo(video.id, ctrl.signal)
        .then(onSaved)
        .catch(() => undefined)
    }, 2000)
    return () => {
      clearTimeout(timer)
      ctrl.abort()
    }
  }, [pending, client, video, onSaved])

  if (!d || (!editable && !d.mp4 && !d.m4a)) return null

  const toggle = async (enabled: boolean) => {
    setBusy(true)
    setAsked(enabled)
    setError('')
    try {
      onSaved(await client.setDownloads(video.id, enabled))
    } catch (e) {
      setError(errorText(e, 'The change was not saved.'))
    } finally {
      setBusy(false)
      setAsked(null)
    }
  }

  return (
    <section className="card downloads" aria-label="Downloads">
      <h2>Downloads</h2>
      {editable && (
        <label className="check">
          <input type="checkbox" checked={asked ?? d.enabled} disabled={busy} onChange={(e) => void toggle(e.currentTarget.checked)} />
          Let viewers download this {video.kind === 'audio' ? 'audio' : 'video'}
        </label>
      )}
      {d.enabled && d.status === 'pending' && <p className="muted" data-testid="downloads-pending">Preparing the files…</p>}
      {d.enabled && d.status === 'failed' && <p className="error-text">The download files could not be made.</p>}
      {(d.mp4 || d.m4a) && (
        <p className="download-links">
          {d.mp4 && (
            <a className="btn" href={d.mp4} download data-testid="download-mp4">
              Download video (MP4)
            </a>
          )}{' '}
          {d.m4a && (
            <a className="btn" href={d.m4a} download data-testid="download-m4a">
              Download audio (M4A)
            </a>
          )}
        </p>
      )}
      {editable && d.original && (
        <p>
          <a href={d.original} download data-testid="download-original">
            Download the original file
          </a>{' '}
          <span className="muted">(only you and admins see this)</span>
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}
