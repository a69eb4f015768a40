// DetailsEditor: the owner's (or an admin's) form for a video's title,
// description, tags and the sites that may embed it.

import { useState, type FormEvent } from 'react'
import type { Video } from '../lib/api'
import { useSession } from '../lib/session'
import { FormActions, type FormMessage } from './FormActions'
import { splitList } from './VisibilityEditor'
import { errorText } from '../lib/errors'

export function DetailsEditor({ video, onSaved }: { video: Video; onSaved: (v: Video) => void }) {
  const { client } = useSession()
  const [title, setTitle] = useState(video.title)
  const [description, setDescription] = useState(video.description ?? '')
  const [tags, setTags] = useState((video.tags ?? []).join(', '))
  const [sites, setSites] = useState((video.embed_domains ?? []).join(', '))
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormMessage>()

  const save = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setMessage(undefined)
    try {
      const v = await client.updateVideo(video.id, {
        title: title.trim(),
        description,
        tags: tags.split(',').map((t) => t.trim()).filter(Boolean),
        embed_domains: splitList(sites),
      })
      setTags((v.tags ?? []).join(', '))
      setSites((v.embed_domains ?? []).join(', '))
      onSaved(v)
      setMessage({ ok: true, text: 'Saved.' })
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card details-editor" aria-label="Details" onSubmit={save}>
      <h2 className="section-title">Details</h2>
      <div className="form-row">
        <label className="field-label" htmlFor="video-title">
          Title
        </label>
        <input id="video-title" className="input" required maxLength={300} value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="form-row">
        <label className="field-label" htmlFor="video-description">
          Description
        </label>
        <textarea
          id="video-description"
          className="input"
          rows={4}
          maxLength={5000}
          placeholder="What is this video about?"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <div className="form-row">
        <label className="field-label" htmlFor="video-tags">
          Tags
        </label>
        <input id="video-tags" className="input" placeholder="e.g. lecture, physics" value={tags} onChange={(e) => setTags(e.target.value)} />
        <span className="muted small">Comma-separated. The library search finds videos by their tags.</span>
      </div>
      <div className="form-row">
        <label className="field-label" htmlFor="video-sites">
          Sites that may embed it
        </label>
        <input id="video-sites" className="input" placeholder="e.g. blog.example.com, *.example.org" value={sites} onChange={(e) => setSites(e.target.value)} />
        <span className="muted small">Empty: any site. Only public and unlisted videos can be embedded.</span>
      </div>
      <FormActions label="Save details" busyLabel="Saving…" busy={busy} message={message} />
    </form>
  )
}
