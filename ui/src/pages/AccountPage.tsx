// AccountPage: who you are, and changing your own password (which signs
// out your other sessions; this one stays signed in).

import { useState, type FormEvent } from 'react'
import { MIN_PASSWORD } from '../components/AccountForm'
import { FormActions, type FormMessage } from '../components/FormActions'
import { useSession } from '../lib/session'
import { errorText } from '../lib/errors'

export function AccountPage() {
  const { client, user } = useSession()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [again, setAgain] = useState('')
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormMessage>()
  if (!user) return null

  const save = async (e: FormEvent) => {
    e.preventDefault()
    if ([...next].length < MIN_PASSWORD) return setMessage({ ok: false, text: `Use at least ${MIN_PASSWORD} characters for the new password.` })
    if (next !== again) return setMessage({ ok: false, text: 'The two new passwords differ.' })
    setBusy(true)
    setMessage(undefined)
    try {
      await client.changePassword(current, next)
      setCurrent('')
      setNext('')
      setAgain('')
      setMessage({ ok: true, text: 'Password changed. Your other sessions are signed out.' })
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="page page-narrow">
      <h1 className="page-title">Your account</h1>
      <section className="card admin-card" aria-label="Who you are">
        <p>
          <strong>{user.name || user.email}</strong>
          <br />
          <span className="muted">
            {user.email} · {user.role}
          </span>
        </p>
      </section>
      <form className="card admin-card" aria-label="Change password" onSubmit={save} noValidate>
        <h2 className="section-title">Change password</h2>
        <label className="form-row">
          <span className="field-label">Current password</span>
          <input className="input" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </label>
        <label className="form-row">
          <span className="field-label">New password</span>
          <input className="input" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        <label className="form-row">
          <span className="field-label">New password again</span>
          <input className="input" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} />
        </label>
        <FormActions label="Change password" busyLabel="Changing…" busy={busy} message={message} />
      </form>
    </main>
  )
}
