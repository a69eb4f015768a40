// AddUserForm creates an account directly, whatever the sign-up mode. The
// admin hands the password over themselves.

import { useState, type FormEvent } from 'react'
import type { ApiClient, Role, User } from '../../lib/api'
import { MIN_PASSWORD } from '../AccountForm'
import { splitList } from '../VisibilityEditor'
import { Choice } from '../Choice'
import { ROLES } from './roles'
import { FormActions, type FormMessage } from '../FormActions'
import { errorText } from '../../lib/errors'

export function AddUserForm({ client, onAdded }: { client: Pick<ApiClient, 'createUser'>; onAdded: (u: User) => void }) {
  const [email, setEmail] = useState('')
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState<Role>('viewer')
  const [groups, setGroups] = useState('')
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormMessage>()

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!email.trim()) return setMessage({ ok: false, text: 'Enter an email address.' })
    if ([...password].length < MIN_PASSWORD) return setMessage({ ok: false, text: `Use at least ${MIN_PASSWORD} characters for the password.` })
    setBusy(true)
    setMessage(undefined)
    try {
      const u = await client.createUser({
        email: email.trim(),
        name: name.trim(),
        password,
        role,
        groups: splitList(groups).map((g) => g.toLowerCase()),
      })
      onAdded(u)
      setMessage({ ok: true, text: `Added ${u.email}.` })
      setEmail('')
      setName('')
      setPassword('')
      setGroups('')
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card admin-card" aria-label="Add a user" onSubmit={submit} noValidate>
      <h2 className="section-title">Add a user</h2>
      <div className="form-grid">
        <label className="form-row">
          <span className="field-label">Email</span>
          <input className="input" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="form-row">
          <span className="field-label">Name</span>
          <input className="input" autoComplete="off" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="form-row">
          <span className="field-label">Password</span>
          <input className="input" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <label className="form-row">
          <span className="field-label">Role</span>
          <Choice value={role} options={ROLES} onChange={setRole} />
        </label>
        <label className="form-row form-wide">
          <span className="field-label">Groups</span>
          <input className="input" placeholder="comma-separated, e.g. staff, students" value={groups} onChange={(e) => setGroups(e.target.value)} />
        </label>
      </div>
      <p className="muted small">
        {ROLES.find((r) => r.value === role)?.label}: {ROLES.find((r) => r.value === role)?.hint}. Passwords have at least {MIN_PASSWORD} characters.
      </p>
      <FormActions label="Add user" busyLabel="Adding…" busy={busy} message={message} />
    </form>
  )
}
