// VisibilityEditor lets a video's owner (or an admin) choose who may watch
// it. Restricted videos name groups and people: admins pick people by email
// from the user list; others, who cannot list users, type user ids.

import { useEffect, useId, useState, type FormEvent } from 'react'
import type { User, Video, Visibility } from '../lib/api'
import { can, useSession } from '../lib/session'
import { Choice } from './Choice'
import { Icon } from './Icon'
import { VISIBILITIES } from './VisibilityTag'
import { FormActions, type FormMessage } from './FormActions'

export function VisibilityEditor({ video, onSaved }: { video: Video; onSaved: (v: Video) => void }) {
  const session = useSession()
  const admin = can(session, 'admin')
  const [visibility, setVisibility] = useState<Visibility>(video.visibility ?? 'private')
  const [groups, setGroups] = useState((video.allowed_groups ?? []).join(', '))
  const [people, setPeople] = useState<string[]>(video.allowed_users ?? [])
  const [idsText, setIdsText] = useState((video.allowed_users ?? []).join(', '))
  const [users, setUsers] = useState<User[]>()
  const [email, setEmail] = useState('')
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormMessage>()
  const listId = useId()
  const restricted = visibility === 'restricted'

  // Admins pick people by email, which needs the user list.
  useEffect(() => {
    if (!admin || !restricted || users) return
    const ctrl = new AbortController()
    session.client.listUsers(ctrl.signal).then(setUsers, () => setUsers([]))
    return () => ctrl.abort()
  }, [admin, restricted, users, session.client])

  const addPerson = () => {
    const e = email.trim().toLowerCase()
    if (!e) return
    const u = users?.find((x) => x.email.toLowerCase() === e)
    if (!u) {
      setMessage({ ok: false, text: `No account has the email ${email.trim()}.` })
      return
    }
    setPeople((p) => (p.includes(u.id) ? p : [...p, u.id]))
    setEmail('')
    setMessage(undefined)
  }

  const save = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setMessage(undefined)
    try {
      const patch = restricted
        ? { visibility, allowed_groups: splitList(groups).map((g) => g.toLowerCase()), allowed_users: admin ? people : splitList(idsText) }
        : { visibility }
      const v = await session.client.updateVideo(video.id, patch)
      onSaved(v)
      setMessage({ ok: true, text: 'Saved.' })
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) })
    } finally {
      setBusy(false)
    }
  }

  const hint = VISIBILITIES.find((v) => v.value === visibility)?.hint
  return (
    <form className="card visibility-editor" aria-label="Who can watch" onSubmit={save}>
      <h2 className="section-title">Who can watch</h2>
      <div className="form-row">
        <label className="field-label" htmlFor="video-visibility">
          Visibility
        </label>
        <Choice id="video-visibility" value={visibility} options={VISIBILITIES} onChange={setVisibility} />
        <span className="muted small">{hint}</span>
      </div>
      {restricted && (
        <>
          <div className="form-row">
            <label className="field-label" htmlFor="video-groups">
              Groups
            </label>
            <input
              id="video-groups"
              className="input"
              placeholder="e.g. staff, students"
              value={groups}
              onChange={(e) => setGroups(e.target.value)}
            />
            <span className="muted small">Comma-separated. Members of any of these groups may watch.</span>
          </div>
          {admin ? (
            <div className="form-row">
              <label className="field-label" htmlFor="video-person">
                People
              </label>
              <div className="copy-row">
                <input
                  id="video-person"
                  className="input"
                  type="email"
                  list={listId}
                  placeholder="Email address"
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      e.preventDefault()
                      addPerson()
                    }
                  }}
                />
                <button type="button" className="btn" onClick={addPerson}>
                  Add
                </button>
              </div>
              <datalist id={listId}>
                {users?.filter((u) => !people.includes(u.id)).map((u) => <option key={u.id} value={u.email} />)}
              </datalist>
              {people.length > 0 && (
                <ul className="chip-list" aria-label="People who may watch">
                  {people.map((id) => {
                    const who = users?.find((u) => u.id === id)?.email ?? id
                    return (
                      <li key={id} className="person-chip">
                        {who}
                        <button type="button" className="icon-btn" aria-label={`Remove ${who}`} onClick={() => setPeople((p) => p.filter((x) => x !== id))}>
                          <Icon name="close" size={14} />
                        </button>
                      </li>
                    )
                  })}
                </ul>
              )}
            </div>
          ) : (
            <div className="form-row">
              <label className="field-label" htmlFor="video-user-ids">
                User ids
              </label>
              <input
                id="video-user-ids"
                className="input mono"
                placeholder="usr_…, usr_…"
                value={idsText}
                onChange={(e) => setIdsText(e.target.value)}
              />
              <span className="muted small">Comma-separated ids of the people who may watch.</span>
            </div>
          )}
        </>
      )}
      <FormActions label="Save" busyLabel="Saving…" busy={busy} message={message} />
    </form>
  )
}

/** splitList reads "a, b,,c" as ["a", "b", "c"]. */
export function splitList(s: string): string[] {
  return s
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean)
}
