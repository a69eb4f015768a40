// UserRow is one account on the users page: role and groups to change,
// disable/enable, and delete (two clicks). The server refuses to demote,
// disable or delete the last admin; its sentence shows under the row.

import { useEffect, useState } from 'react'
import type { ApiClient, User, UserPatch } from '../../lib/api'
import { formatDate } from '../../lib/format'
import { splitList } from '../VisibilityEditor'
import { Choice } from '../Choice'
import { ROLES } from './roles'

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
  useEffect(() => setGroups(saved), [saved]) // the server's normalised list wins after a save
  const [busy, setBusy] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState('')

  const patch = async (p: UserPatch) => {
    setBusy(true)
    setError('')
    try {
      onChanged(await client.updateUser(user.id, p))
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
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
      setError(err instanceof Error ? err.message : String(err))
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
          value={user.role}
          options={ROLES}
          disabled={busy}
          onChange={(role) => void patch({ role })}
        />
        <input
          className="input input-small"
          aria-label={`Groups of ${label}`}
          placeholder="groups"
          value={groups}
          onChange={(e) => setGroups(e.target.value)}
        />
        {groups !== saved && (
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void patch({ groups: splitList(groups).map((g) => g.toLowerCase()) })}>
            Save groups
          </button>
        )}
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void patch({ disabled: !user.disabled })}>
          {user.disabled ? 'Enable' : 'Disable'}
        </button>
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
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </li>
  )
}
