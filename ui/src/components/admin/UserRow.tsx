// UserRow is one account on the users page: role and groups to change,
// disable/enable, and delete (two clicks). The server refuses to demote,
// disable or delete the last admin; its sentence shows under the row.

import { useState } from 'react'
import type { ApiClient, User, UserPatch } from '../../lib/api'
import { formatDate } from '../../lib/format'
import { splitList } from '../VisibilityEditor'
import { Choice } from '../Choice'
import { ROLES } from './roles'
import { errorText } from '../../lib/errors'

export function UserRow({
  user,
  me,
  client,
  onChanged,
  onDeleted,
}: {
  user: User
  me: boolean
  client: Pick<ApiClient, 'updateUser' | 'deleteUser'>
  onChanged: (u: User) => void
  onDeleted: (id: string) => void
}) {
  const saved = (user.groups ?? []).join(', ')
  const [groups, setGroups] = useState(saved)
  const [role, setRole] = useState(user.role)
  // The server's values win when they change (its normalised groups after a
  // save). Set while rendering, not in an effect: an effect ran after the
  // first render could undo an edit made before it ran.
  const [shown, setShown] = useState({ saved, role: user.role })
  if (shown.saved !== saved || shown.role !== user.role) {
    setShown({ saved, role: user.role })
    if (shown.saved !== saved) setGroups(saved)
    if (shown.role !== user.role) setRole(user.role)
  }
  const [busy, setBusy] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState('')
  const [done, setDone] = useState('')
  const [resetting, setResetting] = useState(false)
  const [password, setPassword] = useState('')

  const patch = async (p: UserPatch, what = 'Saved.') => {
    setBusy(true)
    setError('')
    setDone('')
    try {
      onChanged(await client.updateUser(user.id, p))
      setDone(what)
    } catch (err) {
      setRole(user.role) // the refused change is not what holds
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  const remove = async () => {
    if (!confirming) {
      setConfirming(true)
      return
    }
    setBusy(true)
    setError('')
    try {
      await client.deleteUser(user.id)
      onDeleted(user.id)
    } catch (err) {
      setError(errorText(err))
      setBusy(false)
      setConfirming(false)
    }
  }

  const label = user.email
  return (
    <li className={`user-row${user.disabled ? ' is-disabled' : ''}`} data-testid="user-row" data-email={user.email}>
      <div className="user-who">
        <strong className="user-email">{user.email}</strong>
        <span className="muted small">
          {user.name || 'No name'}
          {me && ' · you'}
          {user.disabled && ' · disabled'}
          {' · '}
          {user.last_login_at ? `last sign-in ${formatDate(user.last_login_at)}` : 'never signed in'}
        </span>
      </div>
      <div className="user-controls">
        <Choice
          className="input select select-small"
          aria-label={`Role of ${label}`}
          value={role}
          options={ROLES}
          disabled={busy}
          onChange={setRole}
        />
        <input
          className="input input-small"
          aria-label={`Groups of ${label}`}
          placeholder="groups"
          value={groups}
          onChange={(e) => setGroups(e.target.value)}
        />
        {(groups !== saved || role !== user.role) && (
          <button
            type="button"
            className="btn btn-small btn-primary"
            disabled={busy}
            onClick={() => void patch({ ...(role !== user.role && { role }), ...(groups !== saved && { groups: splitList(groups).map((g) => g.toLowerCase()) }) })}
          >
            Save changes
          </button>
        )}
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => setResetting((r) => !r)} aria-expanded={resetting}>
          {me ? 'Password' : 'Reset password'}
        </button>
        {/* Your own row: no locking yourself out (the server also keeps the last admin). */}
        {!me && (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void patch({ disabled: !user.disabled }, user.disabled ? 'Enabled.' : 'Disabled.')}>
            {user.disabled ? 'Enable' : 'Disable'}
          </button>
        )}
        {!me && (
        <button
          type="button"
          className={`btn btn-small${confirming ? ' btn-danger' : ''}`}
          disabled={busy}
          onClick={() => void remove()}
          onBlur={() => setConfirming(false)}
          aria-label={confirming ? `Confirm delete ${label}` : `Delete ${label}`}
        >
          {confirming ? 'Delete?' : 'Delete'}
        </button>
        )}
      </div>
      {resetting && (
        <form
          className="reset-password"
          onSubmit={(e) => {
            e.preventDefault()
            if ([...password].length < 10) return setError('Use at least 10 characters for the password.')
            void patch({ password }, `New password set; ${me ? 'your other sessions are' : 'their sessions are'} signed out.`).then(() => {
              setPassword('')
              setResetting(false)
            })
          }}
        >
          <input
            className="input input-small"
            type="password"
            autoComplete="new-password"
            aria-label={`New password for ${label}`}
            placeholder="new password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
            Set password
          </button>
        </form>
      )}
      {done && (
        <p className="ok small" role="status">
          {done}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </li>
  )
}
