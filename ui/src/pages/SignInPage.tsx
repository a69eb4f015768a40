// SignInPage asks for an API key and checks it against the API before
// keeping it, so a typo is caught here rather than on the next page.

import { useState, type FormEvent } from 'react'
import { ApiClient, ApiError } from '../lib/api'
import { Icon } from '../components/Icon'

export function SignInPage({ onSignedIn, expired = false }: { onSignedIn: (key: string) => void; expired?: boolean }) {
  const [key, setKey] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(expired ? 'Your key is no longer accepted. Sign in again.' : '')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const k = key.trim()
    if (!k) {
      setError('Paste an API key.')
      return
    }
    setBusy(true)
    setError('')
    try {
      await new ApiClient({ token: k }).listVideos()
      onSignedIn(k)
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) setError('That key was not accepted.')
      else setError(err instanceof Error ? err.message : String(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={submit}>
        <div className="brand brand-large">
          <span className="brand-mark">
            <Icon name="play" size={20} />
          </span>
          kinema
        </div>
        <p className="muted">Sign in with an API key. The admin key is the server&apos;s KINEMA_ADMIN_TOKEN.</p>
        <label className="field-label" htmlFor="api-key">
          API key
        </label>
        <input
          id="api-key"
          className="input mono"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={key}
          onChange={(e) => setKey(e.target.value)}
          placeholder="Paste your key"
        />
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p className="muted small">The key is kept in this browser until you sign out.</p>
      </form>
    </main>
  )
}
