// MediaEditor: for the owner of a ready video, its poster (the frame the
// player shows now, or an uploaded image; the server re-encodes it and
// publishes it under a new name) and audio tracks in other languages added
// after the upload (encoded on the server, then offered by the player's
// audio menu).

import { useCallback, useEffect, useRef, useState } from 'react'
import type { AddedAudio, Video } from '../lib/api'
import { useSession } from '../lib/session'

function message(e: unknown, fallback: string): string {
  return e instanceof Error && e.message ? e.message : fallback
}

export function PosterEditor({ video, currentTime, onSaved }: { video: Video; currentTime: () => number; onSaved: (v: Video) => void }) {
  const { client } = useSession()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const file = useRef<HTMLInputElement>(null)
  const poster = video.playback?.poster
  const chosen = !!poster && !/\/poster\.jpg(\?|$)/.test(poster)

  const run = async (fn: () => Promise<Video>) => {
    setBusy(true)
    setError('')
    try {
      onSaved(await fn())
    } catch (e) {
      setError(message(e, 'The poster was not changed.'))
    } finally {
      setBusy(false)
      if (file.current) file.current.value = ''
    }
  }

  return (
    <section className="card poster-editor" aria-label="Poster">
      <h2>Poster</h2>
      <div className="poster-row">
        {poster && <img className="poster-preview" src={poster} alt="Current poster" data-testid="poster-current" width={192} />}
        <div className="poster-actions">
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() => void run(() => client.setPosterTime(video.id, Math.min(currentTime(), Math.max((video.duration ?? 0) - 0.1, 0))))}
          >
            Use current frame
          </button>
          <label className="btn file-btn">
            Upload image…
            <input
              ref={file}
              type="file"
              accept="image/jpeg,image/png,image/webp"
              disabled={busy}
              data-testid="poster-file"
              hidden
              onChange={(e) => {
                const f = e.currentTarget.files?.[0]
                if (f) void run(() => client.uploadPoster(video.id, f))
              }}
            />
          </label>
          {chosen && (
            <button type="button" className="btn btn-ghost btn-small" disabled={busy} onClick={() => void run(() => client.resetPoster(video.id))}>
              Use kinema's choice
            </button>
          )}
        </div>
      </div>
      <p className="muted">JPEG, PNG or WebP, at most 8 MiB. Players, embeds and the library show it.</p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}

export function AudioTracksEditor({ video }: { video: Video }) {
  const { client } = useSession()
  const [tracks, setTracks] = useState<AddedAudio[] | null>(null)
  const [language, setLanguage] = useState('')
  const [name, setName] = useState('')
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [added, setAdded] = useState(false)
  const fileInput = useRef<HTMLInputElement>(null)

  const load = useCallback(
    (signal?: AbortSignal) =>
      client
        .listAudio(video.id, signal)
        .then(setTracks)
        .catch(() => undefined),
    [client, video.id],
  )
  useEffect(() => {
    const ctrl = new AbortController()
    void load(ctrl.signal)
    return () => ctrl.abort()
  }, [load])
  // While a track is being encoded, look again every couple of seconds.
  const processing = tracks?.some((t) => t.status === 'processing')
  useEffect(() => {
    if (!processing) return
    const ctrl = new AbortController()
    const timer = setTimeout(() => void load(ctrl.signal), 2000)
    return () => {
      clearTimeout(timer)
      ctrl.abort()
    }
  }, [processing, tracks, load])

  const add = async (e: React.FormEvent) => {
    e.preventDefault()
    if (!file) return
    setBusy(true)
    setError('')
    try {
      const t = await client.addAudio(video.id, file, language.trim(), name.trim())
      setTracks((ts) => [...(ts ?? []), t])
      setAdded(true)
      setFile(null)
      setLanguage('')
      setName('')
      if (fileInput.current) fileInput.current.value = ''
    } catch (err) {
      setError(message(err, 'The audio track was not added.'))
    } finally {
      setBusy(false)
    }
  }

  const remove = async (t: AddedAudio) => {
    setError('')
    try {
      await client.deleteAudio(video.id, t.id)
      setTracks((ts) => (ts ?? []).filter((x) => x.id !== t.id))
    } catch (err) {
      setError(message(err, 'The audio track was not removed.'))
    }
  }

  return (
    <section className="card audio-editor" aria-label="Audio tracks">
      <h2>Audio tracks</h2>
      {tracks && tracks.length > 0 && (
        <ul className="added-audio">
          {tracks.map((t) => (
            <li key={t.id} data-testid="added-audio">
              <span>
                {t.name} <span className="muted">({t.language})</span>
              </span>{' '}
              <span className={t.status === 'failed' ? 'error-text' : 'muted'} data-testid="added-audio-status">
                {t.status === 'processing' ? 'Encoding…' : t.status === 'ready' ? 'Ready' : `Failed: ${t.error || 'it could not be encoded.'}`}
              </span>{' '}
              <button type="button" className="btn btn-ghost btn-small" onClick={() => void remove(t)} aria-label={`Remove ${t.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="audio-add" onSubmit={(e) => void add(e)}>
        <label>
          Language
          <input value={language} onChange={(e) => setLanguage(e.currentTarget.value)} placeholder="de" required maxLength={35} size={6} />
        </label>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.currentTarget.value)} placeholder="Deutsch" maxLength={100} />
        </label>
        <label>
          Audio file
          <input
            ref={fileInput}
            type="file"
            accept="audio/*,.m4a,.mp3,.wav,.flac,.ogg,.opus,.aac"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy || !file}>
          {busy ? 'Uploading…' : 'Add audio track'}
        </button>
      </form>
      <p className="muted">
        Another language for this video, as long as it. {added && tracks?.some((t) => t.status === 'ready') && 'Reload the page to hear new tracks in the player.'}
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}
