// InviteBox makes a single-use sign-up link for a role. The server keeps
// only a hash of the code, so the link is shown here once, to copy.

import { useState, type FormEvent } from 'react'
import type { ApiClient, Invite, Role } from '../../lib/api'
import { formatExpiry } from '../../lib/format'
import { Choice } from '../Choice'
import { SecretOnce } from '../SecretOnce'
import { ROLES, roleLabel } from './roles'
import { errorText } from '../../lib/errors'

const TTLS = [
  { hours: 24, label: '1 day' },
  { hours: 7 * 24, label: '7 days' },
  { hours: 30 * 24, label: '30 days' },
]

export function InviteBox({ client }: { client: Pick<ApiClient, 'createInvite'> }) {
  const [role, setRole] = useState<Role>('viewer')
  const [ttl, setTtl] = useState(7 * 24)
  const [invite, setInvite] = useState<Invite>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      setInvite(await client.createInvite(role, ttl))
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card admin-card" aria-label="Invite someone" onSubmit={submit}>
      <h2 className="section-title">Invite someone</h2>
      <p className="muted small">An invite link signs up one account with the role you pick, even when sign-up is closed.</p>
      <div className="form-grid">
        <label className="form-row">
          <span className="field-label">Role</span>
          <Choice aria-label="Invite role" value={role} options={ROLES} onChange={setRole} />
        </label>
        <label className="form-row">
          <span className="field-label">Valid for</span>
          <select className="input select" value={ttl} onChange={(e) => setTtl(Number(e.target.value))}>
            {TTLS.map((t) => (
              <option key={t.hours} value={t.hours}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create invite link'}
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {invite && (
        <SecretOnce label="Invite link" value={invite.url} testId="invite">
          For one {roleLabel(invite.role).toLowerCase()} account; {formatExpiry(invite.expires_at)}.
        </SecretOnce>
      )}
    </form>
  )
}
