// QuotasPanel: per user, storage and processing used against the quota in
// force (an override an admin set, else the server's default; admins are
// exempt from the default), with an editor for the overrides: empty
// follows the server's default, 0 means no quota.

import { useState } from 'react'
import { parseGB, parseMinutes, share } from '../../lib/admin'
import type { UserDetail } from '../../lib/adminApi'
import type { ApiClient } from '../../lib/api'
import { formatBytes } from '../../lib/format'
import { errorText } from '../../lib/errors'
import { useLoad } from '../../lib/useLoad'

type Client = Pick<ApiClient, 'listUsers' | 'getUser' | 'setUserQuota'>

/** At most this many users are shown: each one is a request. */
const MAX_USERS = 50

export function QuotasPanel({ client, epoch }: { client: Client; epoch: number }) {
  const [loaded, failed, setLoaded] = useLoad(async (signal) => {
    const list = await client.listUsers(signal)
    const users: UserDetail[] = await Promise.all(list.slice(0, MAX_USERS).map((u) => client.getUser(u.id, signal)))
    return { users, more: Math.max(0, list.length - MAX_USERS) }
  }, [client, epoch])
  const users = loaded?.users
  const more = loaded?.more ?? 0
  const error = errorText(failed)

  return (
    <section className="card dash-card" aria-label="Quotas">
      <h2 className="section-title">Quotas</h2>
      <p className="muted small">Storage is what a user's videos hold (sources and media); processing counts the minutes of video processed in the period.</p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {users && (
        <ul className="job-list">
          {users.map((u) => (
            <QuotaRow key={u.id} user={u} client={client} onChanged={(nu) => setLoaded((l) => l && { ...l, users: l.users.map((x) => (x.id === nu.id ? nu : x)) })} />
          ))}
        </ul>
      )}
      {more > 0 && <p className="muted small">{more} more users are not shown.</p>}
    </section>
  )
}

export function QuotaRow({ user, client, onChanged }: { user: UserDetail; client: Pick<ApiClient, 'setUserQuota'>; onChanged: (u: UserDetail) => void }) {
  const q = user.quota
  const [editing, setEditing] = useState(false)
  const [gb, setGB] = useState('')
  const [minutes, setMinutes] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [done, setDone] = useState('')
  const days = Math.round(q.period_seconds / 86400)

  const open = () => {
    setGB(user.quota_storage_bytes == null ? '' : String(user.quota_storage_bytes / 1e9))
    setMinutes(user.quota_processing_minutes == null ? '' : String(user.quota_processing_minutes))
    setError('')
    setDone('')
    setEditing(true)
  }
  const save = async () => {
    const storage = parseGB(gb)
    const processing = parseMinutes(minutes)
    if (storage === undefined || processing === undefined) return setError('Quotas are numbers of 0 or more (0: no quota), or empty for the server default.')
    setBusy(true)
    setError('')
    try {
      onChanged(await client.setUserQuota(user.id, { quota_storage_bytes: storage, quota_processing_minutes: processing }))
      setDone('Saved.')
      setEditing(false)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <li className="job-row quota-row" data-testid="quota-row" data-email={user.email}>
      <div className="job-main">
        <strong className="wrap">{user.email}</strong>
        <Meter
          label="Storage"
          used={formatBytes(q.used_storage_bytes)}
          limit={q.storage_bytes ? formatBytes(q.storage_bytes) : ''}
          fraction={share(q.used_storage_bytes, q.storage_bytes)}
          custom={user.quota_storage_bytes != null}
          testId="quota-storage"
        />
        <Meter
          label={`Processing (${days} days)`}
          used={`${q.used_processing_minutes} min`}
          limit={q.processing_minutes ? `${q.processing_minutes} min` : ''}
          fraction={share(q.used_processing_minutes, q.processing_minutes)}
          custom={user.quota_processing_minutes != null}
          testId="quota-processing"
        />
      </div>
      {!editing && (
        <button type="button" className="btn btn-small" onClick={open} aria-label={`Edit quotas of ${user.email}`}>
          Edit
        </button>
      )}
      {editing && (
        <form
          className="quota-form"
          onSubmit={(e) => {
            e.preventDefault()
            void save()
          }}
        >
          <label className="small">
            Storage (GB)
            <input className="input input-small" inputMode="decimal" placeholder="server default" aria-label={`Storage quota of ${user.email} in GB`} value={gb} onChange={(e) => setGB(e.target.value)} />
          </label>
          <label className="small">
            Processing (minutes)
            <input
              className="input input-small"
              inputMode="decimal"
              placeholder="server default"
              aria-label={`Processing quota of ${user.email} in minutes`}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
            />
          </label>
          <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
            Save quotas
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setEditing(false)}>
            Cancel
          </button>
          <p className="muted small quota-hint">Empty: the server's default. 0: no quota.</p>
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

function Meter({ label, used, limit, fraction, custom, testId }: { label: string; used: string; limit: string; fraction: number; custom: boolean; testId: string }) {
  return (
    <div className="meter small" data-testid={testId}>
      <span className="meter-label muted">{label}</span>
      <span className="bar-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={1} aria-valuenow={fraction}>
        <span className={`bar-fill${fraction >= 0.9 ? ' bar-danger' : ''}`} style={{ width: `${fraction * 100}%` }} />
      </span>
      <span className="meter-value">
        {used} of {limit || 'no limit'}
        {custom ? ' (set for this user)' : ''}
      </span>
    </div>
  )
}
