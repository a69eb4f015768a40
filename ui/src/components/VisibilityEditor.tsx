// VisibilityEditor lets a video's owner (or an admin) choose who may watch
// it. Restricted videos name groups and people, picked by email: admins
// from the user list; others from suggestions (GET /users/suggest: their
// group-mates by prefix, anyone else by the whole email, never the list).

import { useEffect, useId, useState, type FormEvent } from 'react'
import type { UserSuggestion, Video, Visibility } from '../lib/api'
import { can, useSession } from '../lib/session'
import { useDebounced } from '../lib/useDebounced'
import { Choice } from './Choice'
import { Icon } from './Icon'
import { VISIBILITIES } from './VisibilityTag'
import { FormActions, type FormMessage } from './FormActions'
import { errorText } from '../lib/errors'

export function VisibilityEditor({ video, onSaved }: { video: Video; onSaved: (v: Video) => void }) {
  const session = useSession()
  const admin = can(session, 'admin')
  const [visibility, setVisibility] = useState<Visibility>(video.visibility ?? 'private')
  const [groups, setGroups] = useState((video.allowed_groups ?? []).join(', '))
  const [people, setPeople] = useState<string[]>(video.allowed_users ?? [])
  const [users, setUsers] = useState<UserSuggestion[]>()
  // Emails of the ids met so far (the list, suggestions, people added).
  const [known, setKnown] = useState<Record<string, string>>({})
  const [email, setEmail] = useState('')
  const typed = useDebounced(email.trim(), 250)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormMessage>()
  const listId = useId()
  const restricted = visibility === 'restricted'

  const remember = (list: UserSuggestion[]) => setKnown((k) => ({ ...k, ...Object.fromEntries(list.map((u) => [u.id, u.email])) }))

  // Admins pick from the user list; others get suggestions as they type.
  useEffect(() => {
    if (!restricted) return
    const ctrl = new AbortController()
    const found = (list: UserSuggestion[]) => {
      setUsers(list)
      remember(list)
    }
    if (admin) {
      if (!users) session.client.listUsers(ctrl.signal).then(found, () => setUsers([]))
    } else {
      session.client.suggestUsers(typed, ctrl.signal).then(found, () => undefined)
    }
    return () => ctrl.abort()
  }, [admin, restricted, typed, session.client]) // eslint-disable-line react-hooks/exhaustive-deps

  const addPerson = async () => {
    const e = email.trim().toLowerCase()
    if (!e) return
    let u = users?.find((x) => x.email.toLowerCase() === e)
    if (!u && !admin) {
      // Not among the suggestions yet (typed fast): ask for the whole email.
      const list = await session.client.suggestUsers(e).catch(() => [] as UserSuggestion[])
      remember(list)
      u = list.find((x) => x.email.toLowerCase() === e)
    }
    if (!u) {
      setMessage({
        ok: false,
        text: admin
          ? `No account has the email ${email.trim()}.`
          : `No account has the email ${email.trim()}. Type the whole email; people in your groups are suggested as you type.`,
      })
      return
    }
    const id = u.id
    setPeople((p) => (p.includes(id) ? p : [...p, id]))
    setEmail('')
    setMessage(undefined)
  }

  const save = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setMessage(undefined)
    try {
      const patch = restricted
        ? { visibility, allowed_groups: splitList(groups).map((g) => g.toLowerCase()), allowed_users: people }
        : { visibility }
      const v = await session.client.updateVideo(video.id, patch)
      onSaved(v)
      setMessage({ ok: true, text: 'Saved.' })
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) })
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
                autoComplete="off"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault()
                    void addPerson()
                  }
                }}
              />
              <button type="button" className="btn" onClick={() => void addPerson()}>
                Add
              </button>
            </div>
            <datalist id={listId} data-testid="people-suggestions">
              {users?.filter((u) => !people.includes(u.id)).map((u) => <option key={u.id} value={u.email} label={u.name || undefined} />)}
            </datalist>
            {!admin && <span className="muted small">People in your groups are suggested as you type; anyone else by their whole email.</span>}
            {people.length > 0 && (
              <ul className="chip-list" aria-label="People who may watch">
                {people.map((id) => {
                  const who = known[id] ?? id
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
