// AccountForm is the email/name/password form behind setup, sign-in and
// sign-up. It checks what it can before asking the server (empty fields,
// the password length the server enforces) and shows the server's refusal
// under the fields.

import { useState, type FormEvent, type ReactNode } from 'react'
import { AuthCard } from './AuthCard'

/** MIN_PASSWORD matches the server's auth.MinPasswordLen. */
export const MIN_PASSWORD = 10

export interface AccountValues {
  email: string
  name: string
  password: string
}

export function AccountForm({
  title,
  intro,
  footer,
  notice,
  withName = false,
  newPassword = false,
  submitLabel,
  busyLabel,
  onSubmit,
  errorText,
}: {
  title: string
  intro?: ReactNode
  footer?: ReactNode
  /** A line above the fields, e.g. why the user was signed out. */
  notice?: string
  withName?: boolean
  /** The password is being chosen: enforce the minimum and let managers suggest one. */
  newPassword?: boolean
  submitLabel: string
  busyLabel: string
  onSubmit: (v: AccountValues) => Promise<void>
  errorText: (err: unknown) => string
}) {
  const [email, setEmail] = useState('')
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const v = { email: email.trim(), name: name.trim(), password }
    const problem = !v.email
      ? 'Enter your email address.'
      : !password
        ? 'Enter a password.'
        : newPassword && [...password].length < MIN_PASSWORD
          ? `Use at least ${MIN_PASSWORD} characters for the password.`
          : ''
    if (problem) {
      setError(problem)
      return
    }
    setBusy(true)
    setError('')
    try {
      await onSubmit(v)
    } catch (err) {
      setError(errorText(err))
      setBusy(false)
    }
  }

  return (
    <AuthCard title={title} intro={intro} onSubmit={submit} footer={footer}>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <label className="field-label" htmlFor="account-email">
        Email
      </label>
      <input
        id="account-email"
        className="input"
        type="email"
        autoComplete={newPassword ? 'email' : 'username'}
        autoFocus
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      {withName && (
        <>
          <label className="field-label" htmlFor="account-name">
            Name
          </label>
          <input id="account-name" className="input" autoComplete="name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </>
      )}
      <label className="field-label" htmlFor="account-password">
        Password
      </label>
      <input
        id="account-password"
        className="input"
        type="password"
        autoComplete={newPassword ? 'new-password' : 'current-password'}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-describedby={newPassword ? 'account-password-hint' : undefined}
      />
      {newPassword && (
        <p id="account-password-hint" className="muted small field-hint">
          At least {MIN_PASSWORD} characters.
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy ? busyLabel : submitLabel}
      </button>
    </AuthCard>
  )
}
